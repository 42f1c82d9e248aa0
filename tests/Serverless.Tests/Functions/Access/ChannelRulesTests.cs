using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Serverless.Contracts.Api;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests.Functions.Access;

/// <summary>
/// The sample's channel rules, deny by default, from the outside through the real worker: <c>prices.*</c> public,
/// <c>orders.*</c> for the role <c>orders.reader</c> (alice), <c>users.{user}.*</c> for each user, <c>*</c> for
/// <c>channels.reader</c> (the operator). 401 where signing in could help, 403 where the caller is known.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ChannelRulesTests(PipelineFixture fixture)
{
    private const string Anonymous = "anonymous";

    public static TheoryData<string, string, HttpStatusCode> Cases() => new()
    {
        { Anonymous, "prices", HttpStatusCode.OK },
        { Anonymous, "orders", HttpStatusCode.Unauthorized },
        { Anonymous, "users.alice", HttpStatusCode.Unauthorized },
        { Anonymous, "test", HttpStatusCode.Unauthorized },
        { "alice", "prices", HttpStatusCode.OK },
        { "alice", "orders", HttpStatusCode.OK },
        { "alice", "users.alice", HttpStatusCode.OK },
        { "alice", "users.bob", HttpStatusCode.Forbidden },
        { "alice", "test", HttpStatusCode.Forbidden },
        { "bob", "orders", HttpStatusCode.Forbidden },
        { "bob", "users.bob", HttpStatusCode.OK },
        { "bob", "users.alice", HttpStatusCode.Forbidden },
        { TestCallers.Operator, "users.alice", HttpStatusCode.OK },
        { TestCallers.Operator, "test", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Updates_latest_and_subscriptions_follow_the_rules(string caller, string prefix, HttpStatusCode expected)
    {
        var channel = TestEvents.NewChannel(prefix);
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(channel, "u1", key: "k")]));
        using var api = TestCallers.ClientAs(fixture.App.BaseAddress, caller == Anonymous ? null : caller);
        await using var client = await UpdatesClient.ConnectAsync(api);

        using var updates = await api.GetAsync($"/api/channels/{channel}/updates");
        using var latest = await api.GetAsync($"/api/channels/{channel}/latest");
        using var subscribe = await api.PostAsJsonAsync("/api/subscriptions", new SubscribeRequest(client.UserId, [channel]), UpdatesApi.Json);

        Assert.Equal(expected, updates.StatusCode);
        Assert.Equal(expected, latest.StatusCode);
        Assert.Equal(expected, subscribe.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", updates.Content.Headers.ContentType?.MediaType);
            Assert.Equal(expected == HttpStatusCode.Unauthorized, updates.Headers.WwwAuthenticate.Count > 0);
        }
        else
        {
            Assert.Equal("u1", (await updates.Content.ReadFromJsonAsync<UpdatesPage>(UpdatesApi.Json))!.Updates.Single().Id);
        }
    }

    [Fact]
    public async Task The_channel_list_holds_only_what_the_caller_may_follow()
    {
        var channels = new[] { "prices", "orders", "users.alice", "users.bob", "test" }.ToDictionary(p => p, p => TestEvents.NewChannel(p));
        await fixture.IngestAsync(TestEvents.Batch(channels.Values.Select((c, i) => TestEvents.Update(c, $"l{i}"))));

        async Task<HashSet<string>> ListAsync(string? user)
        {
            using var api = TestCallers.ClientAs(fixture.App.BaseAddress, user);
            var names = new HashSet<string>();
            foreach (var prefix in channels.Keys)
            {
                string? after = null;
                do
                {
                    var page = await UpdatesApi.ListChannelsAsync(api, prefix + ".", after);
                    names.UnionWith(page.Channels.Select(c => c.Channel));
                    after = page.Next;
                }
                while (after is not null);
            }

            return [.. names.Where(channels.ContainsValue)];
        }

        Assert.Equal([channels["prices"]], await ListAsync(null));
        Assert.Equal(new[] { channels["prices"], channels["orders"], channels["users.alice"] }.Order(), (await ListAsync("alice")).Order());
        Assert.Equal(new[] { channels["prices"], channels["users.bob"] }.Order(), (await ListAsync("bob")).Order());
        Assert.Equal(channels.Values.Order(), (await ListAsync(TestCallers.Operator)).Order());
    }

    public static TheoryData<HttpTransportType> Transports() => [HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Each_caller_receives_pushes_of_its_own_channels_only_on_every_transport(HttpTransportType transport)
    {
        var prices = TestEvents.NewChannel("prices");
        var alices = TestEvents.NewChannel("users.alice");
        var bobs = TestEvents.NewChannel("users.bob");
        var clients = new Dictionary<string, UpdatesClient>();
        var apis = new List<HttpClient>();
        try
        {
            foreach (var (name, user, channels) in new[] { (Anonymous, (string?)null, new[] { prices }), ("alice", "alice", [prices, alices]), ("bob", "bob", [prices, bobs]) })
            {
                var api = TestCallers.ClientAs(fixture.App.BaseAddress, user);
                apis.Add(api);
                clients[name] = await UpdatesClient.ConnectAsync(api, transport);
                await clients[name].SubscribeAsync(channels);
            }

            // Each tries the others' private channel too, by name and by naming the other's user: refused, nothing joined.
            await Assert.ThrowsAsync<HttpRequestException>(() => clients["alice"].SubscribeAsync(bobs));
            await Assert.ThrowsAsync<HttpRequestException>(() => UpdatesApi.SubscribeAsync(apis[2], "alice", [prices]));
            await Assert.ThrowsAsync<HttpRequestException>(() => UpdatesApi.SubscribeAsync(apis[0], "alice", [prices]));

            await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(alices, "a1"), TestEvents.Update(bobs, "b1"), TestEvents.Update(prices, "p1")]));

            Assert.Equal(new[] { prices }, await ChannelsPushedAsync(clients[Anonymous], 1));
            Assert.Equal(new[] { alices, prices }.Order(), await ChannelsPushedAsync(clients["alice"], 2));
            Assert.Equal(new[] { bobs, prices }.Order(), await ChannelsPushedAsync(clients["bob"], 2));
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                await client.DisposeAsync();
            }

            apis.ForEach(api => api.Dispose());
        }
    }

    [Fact]
    public async Task A_borrowed_connection_id_joins_nothing()
    {
        var bobs = TestEvents.NewChannel("users.bob");
        using var aliceApi = TestCallers.ClientAs(fixture.App.BaseAddress, "alice");
        using var bobApi = TestCallers.ClientAs(fixture.App.BaseAddress, "bob");
        using var anonymousApi = TestCallers.ClientAs(fixture.App.BaseAddress, null);
        await using var alice = await UpdatesClient.ConnectAsync(aliceApi);
        await using var bob = await UpdatesClient.ConnectAsync(bobApi);

        // The old form named a connection: bob names alice's, anonymous names it too. Neither reaches her connection.
        using var byBob = await bobApi.PostAsJsonAsync("/api/subscriptions", new { connectionId = alice.ConnectionId, channels = new[] { bobs } });
        using var byAnonymous = await anonymousApi.PostAsJsonAsync("/api/subscriptions", new { connectionId = alice.ConnectionId, channels = new[] { "prices.x" } });
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(bobs, "b1"), TestEvents.Update("prices.x", $"x{Guid.NewGuid():N}")]));

        Assert.Equal(HttpStatusCode.OK, byBob.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byAnonymous.StatusCode);
        Assert.Equal(bobs, (await bob.NextAsync()).Channel);
        await Assert.ThrowsAsync<TimeoutException>(() => alice.NextAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_renewal_is_checked_again_with_the_token_in_hand()
    {
        var orders = TestEvents.NewChannel("orders");
        using var api = TestCallers.ClientAs(fixture.App.BaseAddress, "carol").As(TestCallers.Issuer.CreateToken("carol", ["orders.reader"]));
        await using var client = await UpdatesClient.ConnectAsync(api);

        var first = await client.SubscribeAsync(orders);
        // The role is withdrawn: carol's next token no longer holds it, and the subscription may not be renewed.
        api.As(TestCallers.Issuer.CreateToken("carol", []));
        using var renewal = await api.PostAsJsonAsync("/api/subscriptions", new SubscribeRequest(client.UserId, [orders]), UpdatesApi.Json);

        Assert.Equal(orders, first.Channels.Single().Channel);
        // The membership lapses after the subscription's lifetime, which the service keeps (RestApiTests: a user's group membership with a time to live).
        Assert.Equal(Serverless.Contracts.Settings.SettingDefaults.SubscriptionMinutes * 60, first.ExpiresInSeconds);
        Assert.Equal(HttpStatusCode.Forbidden, renewal.StatusCode);
    }

    private static async Task<IEnumerable<string>> ChannelsPushedAsync(UpdatesClient client, int count)
    {
        var channels = new List<string>();
        for (var i = 0; i < count; i++)
        {
            channels.Add((await client.NextAsync()).Channel);
        }

        // Nothing else arrives: a push of a channel it may not follow would come with the others.
        await Assert.ThrowsAsync<TimeoutException>(() => client.NextAsync(TimeSpan.FromSeconds(1)));
        return channels.Order();
    }
}
