using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.Testing;
using Serverless.Tooling;
using Serverless.Updates.Client;

namespace Serverless.Tests.Functions;

[Collection(PipelineCollection.Name)]
public sealed class ApiTests(PipelineFixture fixture)
{
    [Fact]
    public async Task Negotiate_returns_the_client_url_and_a_short_lived_token_for_it_naming_the_caller()
    {
        using var response = await fixture.Http.PostAsync("/api/negotiate?negotiateVersion=1", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"http://localhost:{fixture.SignalR.Port}/client/?hub=updates", body.GetProperty("url").GetString());
        var claims = Jwt.ValidatedPayload(body.GetProperty("accessToken").GetString()!, fixture.SignalR.AccessKey);
        Assert.Equal("http://localhost/client/?hub=updates", claims.GetProperty("aud").GetString());
        // The connection-info binding's token lives an hour, as the SignalR Service SDK's does.
        var lifetime = claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
        Assert.Equal(3600, lifetime);
        Assert.InRange(claims.GetProperty("exp").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(61).ToUnixTimeSeconds());
        Assert.Equal(TestCallers.Operator, claims.GetProperty("asrs.s.uid").GetString());
        Assert.Equal(TestCallers.Operator, body.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task Negotiate_never_takes_the_user_id_from_what_an_anonymous_caller_sends()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/negotiate?userId=mallory")
        {
            Content = new StringContent("""{"userId":"mallory"}""", Encoding.UTF8, "application/json"),
        };
        // Without App Service authentication in front, the principal header is just another client header.
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL-ID", "mallory");

        request.Headers.Add("X-MS-CLIENT-PRINCIPAL", Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"claims":[{"typ":"roles","val":"channels.reader"}]}""")));
        using var anonymous = TestCallers.ClientAs(fixture.App.BaseAddress, user: null);

        using var response = await anonymous.SendAsync(request);
        var claims = Jwt.ValidatedPayload((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!, fixture.SignalR.AccessKey);

        var userId = claims.GetProperty("asrs.s.uid").GetString();
        Assert.StartsWith("anonymous.", userId);
        Assert.DoesNotContain("mallory", userId);
    }

    [Fact]
    public async Task Subscribe_adds_the_callers_user_to_each_channel_group_and_returns_where_each_channel_stands()
    {
        var busy = TestEvents.NewChannel();
        var empty = TestEvents.NewChannel();
        var other = TestEvents.NewChannel();
        await fixture.IngestAsync(TestEvents.Batch(Enumerable.Range(1, 4).Select(i => TestEvents.Update(busy, $"e{i}"))));
        await using var client = await UpdatesClient.ConnectAsync(fixture.Http);

        var body = await client.SubscribeAsync(busy, empty);
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(other, "o1"), TestEvents.Update(empty, "x1"), TestEvents.Update(busy, "e5")], firstSequenceNumber: 10));
        var pushed = new[] { await client.NextAsync(), await client.NextAsync() };

        Assert.Equal(TestCallers.Operator, body.UserId);
        Assert.Equal(TestCallers.Operator, client.UserId);
        var positions = body.Channels.ToDictionary(c => c.Channel);
        Assert.Equal(4, positions[busy].Head);
        Assert.Equal(32, positions[busy].Epoch!.Length);
        Assert.Equal(0, positions[empty].Head);
        Assert.Null(positions[empty].Epoch);
        Assert.Equal(new[] { busy, empty }.Order(), pushed.Select(m => m.Channel).Order());
        Assert.Equal((5L, "e5"), PipelineFixture.Updates(pushed.Single(m => m.Channel == busy)).Single());
        Assert.Empty(client.Drain());
    }

    [Fact]
    public async Task A_route_of_another_method_is_405_with_allow_and_an_unknown_route_is_404_naming_no_routes()
    {
        using var wrongMethod = await fixture.Http.DeleteAsync("/api/channels/test.a/updates");
        using var unknown = await fixture.Http.GetAsync("/api/channel/test.a");
        var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal(["GET"], wrongMethod.Content.Headers.Allow);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.DoesNotContain("/api/channels/{channel}", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("subscriptions", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_subscription_that_is_not_JSON_is_415()
    {
        using var response = await fixture.Http.PostAsync("/api/subscriptions", new StringContent("userId=c&channels=test.a", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"userId":"operator"}""", "channels")]
    [InlineData("""{"channels":[]}""", "channels")]
    [InlineData("""{"channels":["ok.one","no spaces"]}""", "no spaces")]
    [InlineData("""{"channels":["a/b"]}""", "a/b")]
    [InlineData("""not json""", "JSON")]
    [InlineData("""[1,2]""", "JSON")]
    public async Task Subscribe_refuses_a_bad_request_and_says_what_is_wrong(string body, string mentioned)
    {
        using var response = await fixture.Http.PostAsync("/api/subscriptions", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType!.ToString());
        Assert.Contains(mentioned, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Subscribe_refuses_an_oversized_body()
    {
        var channels = Enumerable.Range(0, 1000).Select(i => $"test.{new string('x', 100)}{i}").ToArray();

        using var response = await fixture.Http.PostAsJsonAsync("/api/subscriptions", new { channels });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Updates_pages_through_the_log_after_a_sequence_number()
    {
        var channel = TestEvents.NewChannel();
        await fixture.IngestAsync(TestEvents.Batch(Enumerable.Range(1, 25).Select(i => TestEvents.Update(channel, $"e{i}"))));

        var first = await fixture.GetAsync<UpdatesPage>($"/api/channels/{channel}/updates?after=0&limit=10");
        var middle = await fixture.GetAsync<UpdatesPage>($"/api/channels/{channel}/updates?after=10&limit=10");
        var last = await fixture.GetAsync<UpdatesPage>($"/api/channels/{channel}/updates?after=20");
        var beyond = await fixture.GetAsync<UpdatesPage>($"/api/channels/{channel}/updates?after=25");

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Seqs(first));
        Assert.Equal(Enumerable.Range(11, 10).Select(i => (long)i), Seqs(middle));
        Assert.Equal(Enumerable.Range(21, 5).Select(i => (long)i), Seqs(last));
        Assert.Empty(Seqs(beyond));
        Assert.All(new[] { first, middle, last, beyond }, page =>
        {
            Assert.Equal(25, page.Head);
            Assert.Equal(channel, page.Channel);
            Assert.Equal(first.Epoch, page.Epoch);
        });
    }

    [Fact]
    public async Task Updates_of_a_channel_without_updates_is_an_empty_page_at_head_zero()
    {
        var page = await fixture.GetAsync<UpdatesPage>($"/api/channels/{TestEvents.NewChannel()}/updates");

        Assert.Equal(0, page.Head);
        Assert.Null(page.Epoch);
        Assert.Empty(page.Updates);
    }

    [Fact]
    public async Task Channels_lists_the_channels_with_updates_in_name_order_with_their_head_and_epoch()
    {
        var prefix = TestEvents.NewChannel();
        var (a, b) = ($"{prefix}.a", $"{prefix}.b");
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(b, "b1"), TestEvents.Update(a, "a1"), TestEvents.Update(b, "b2")]));
        var epochOfB = (await fixture.GetAsync<UpdatesPage>($"/api/channels/{b}/updates")).Epoch;

        var list = await fixture.GetAsync<ChannelList>($"/api/channels?prefix={prefix}");

        Assert.Equal([a, b], list.Channels.Select(c => c.Channel));
        Assert.Equal([1L, 2L], list.Channels.Select(c => c.Head));
        Assert.Equal(epochOfB, list.Channels[1].Epoch);
        Assert.Null(list.Next);
    }

    [Fact]
    public async Task Channels_pages_by_name_with_next()
    {
        var prefix = TestEvents.NewChannel();
        var names = Enumerable.Range(0, 5).Select(i => $"{prefix}.{i}").ToArray();
        await fixture.IngestAsync(TestEvents.Batch(names.Select(name => TestEvents.Update(name, "e1"))));

        var first = await fixture.GetAsync<ChannelList>($"/api/channels?prefix={prefix}&limit=3");
        var second = await fixture.GetAsync<ChannelList>($"/api/channels?prefix={prefix}&limit=3&after={first.Next}");

        Assert.Equal(names[..3], first.Channels.Select(c => c.Channel));
        Assert.Equal(names[3..], second.Channels.Select(c => c.Channel));
        Assert.Null(second.Next);
    }

    [Theory]
    [InlineData("/api/channels/test.x/updates?after=-1", "after")]
    [InlineData("/api/channels/test.x/updates?after=abc", "after")]
    [InlineData("/api/channels/test.x/updates?limit=0", "limit")]
    [InlineData("/api/channels/test.x/updates?limit=5000", "limit")]
    [InlineData("/api/channels/bad%20channel/updates", "channel")]
    [InlineData("/api/channels/x%27%20or%20PartitionKey%20ne%20%27/updates", "channel")]
    [InlineData("/api/channels/bad%20channel/latest", "channel")]
    [InlineData("/api/channels?prefix=a%2Fb", "prefix")]
    [InlineData("/api/channels?limit=101", "limit")]
    [InlineData("/api/channels?after=x%27y", "channel")]
    public async Task Bad_queries_get_a_problem_that_says_what_is_wrong(string path, string mentioned)
    {
        using var response = await fixture.Http.GetAsync(path);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Health_reports_storage_and_signalr_and_what_ingest_did()
    {
        var wire = await fixture.GetJsonAsync("/api/health");
        var health = wire.Deserialize<HealthReport>(UpdatesApi.Json)!;

        Assert.Equal(HealthReport.Healthy, health.Status);
        Assert.True(health.Checks.Storage.Healthy);
        Assert.True(health.Checks.SignalR.Healthy);
        Assert.Equal(["stored", "replayed", "rejected", "pushed", "pushFailures"], wire.GetProperty("ingest").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Health_is_unavailable_without_storage()
    {
        var settings = FunctionAppServer.Settings(
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{LoopbackPorts.Free()}/{AzuriteServer.AccountName};",
            fixture.SignalR.ConnectionString);
        await using var app = await FunctionAppServer.StartAsync(settings);

        using var response = await app.Http.GetAsync("/api/health");
        var health = await response.Content.ReadFromJsonAsync<HealthReport>(UpdatesApi.Json);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HealthReport.Unhealthy, health!.Status);
        Assert.False(health.Checks.Storage.Healthy);
    }

    [Fact]
    public async Task Health_says_a_check_failed_but_not_why_to_its_caller()
    {
        var deadPort = LoopbackPorts.Free();
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, SettingDefaults.LocalSignalRConnection(deadPort));
        await using var app = await FunctionAppServer.StartAsync(settings);
        using var anonymous = TestCallers.ClientAs(app.BaseAddress, user: null);

        using var response = await anonymous.GetAsync("/api/health");
        var text = await response.Content.ReadAsStringAsync();
        var health = JsonSerializer.Deserialize<HealthReport>(text, UpdatesApi.Json)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HealthReport.Degraded, health.Status);
        Assert.False(health.Checks.SignalR.Healthy);
        Assert.DoesNotContain($"{deadPort}", text);
        Assert.DoesNotContain("refused", text, StringComparison.OrdinalIgnoreCase);
        await app.Log.WaitForAsync(e => e.EventName == "HealthCheckFailed", TimeSpan.FromSeconds(15));
    }

    private static IEnumerable<long> Seqs(UpdatesPage page) => page.Updates.Select(u => u.Seq);
}
