using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests.SignalRService;

/// <summary>The local SignalR Service's data-plane REST API: targets, group membership, and what it refuses.</summary>
[Collection(PipelineCollection.Name)]
public sealed class RestApiTests(PipelineFixture fixture) : IDisposable
{
    private const string V = "api-version=2022-06-01";
    private readonly ServiceRest rest = new(fixture.SignalR);

    public void Dispose() => rest.Dispose();

    [Fact]
    public async Task Sends_to_a_user_reach_that_users_connections_only_in_both_api_versions()
    {
        var user = $"user-{Guid.NewGuid():N}";
        using var negotiate = UserNegotiate(user);
        await using var alice = await UpdatesClient.ConnectAsync(negotiate, configure: AsUser(user));
        await using var aliceOnLongPolling = await UpdatesClient.ConnectAsync(negotiate, HttpTransportType.LongPolling, configure: AsUser(user));
        await using var bob = await UpdatesClient.ConnectAsync(fixture.Http);
        var inboxes = new[] { alice, aliceOnLongPolling, bob }.Select(c => c.Listen("notice")).ToArray();

        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"/api/hubs/updates/users/{user}/:send?{V}", new { target = "notice", arguments = new object[] { "new" } }));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"/api/v1/hubs/updates/users/{user}", new { target = "notice", arguments = new object[] { "v1" } }));

        foreach (var inbox in inboxes[..2])
        {
            Assert.Equal("new", (await inbox.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15))).GetString());
            Assert.Equal("v1", (await inbox.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15))).GetString());
        }

        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/users/{user}?{V}"));
        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/users/nobody-{Guid.NewGuid():N}?{V}"));
        await AssertNothingMoreAsync(bob, inboxes[2]);
    }

    [Fact]
    public async Task Sends_to_a_connection_reach_that_connection_only()
    {
        await using var target = await UpdatesClient.ConnectAsync(fixture.Http, HttpTransportType.ServerSentEvents);
        await using var other = await UpdatesClient.ConnectAsync(fixture.Http);
        var inbox = target.Listen("notice");
        var otherInbox = other.Listen("notice");

        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"/api/hubs/updates/connections/{target.ConnectionId}/:send?{V}", new { target = "notice", arguments = new[] { "for you" } }));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"/api/v1/hubs/updates/connections/{target.ConnectionId}", new { target = "notice", arguments = new[] { "v1 for you" } }));

        Assert.Equal("for you", (await inbox.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15))).GetString());
        Assert.Equal("v1 for you", (await inbox.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15))).GetString());
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/connections/{target.ConnectionId}?{V}"));
        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/connections/nope?{V}"));
        await AssertNothingMoreAsync(other, otherInbox);
    }

    [Fact]
    public async Task Group_membership_is_added_and_removed_for_connections_and_for_users_with_a_time_to_live()
    {
        var group = $"group-{Guid.NewGuid():N}";
        await using var member = await UpdatesClient.ConnectAsync(fixture.Http);
        var inbox = member.Listen("notice");
        var groupPath = $"/api/hubs/updates/groups/{group}";

        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Head, $"{groupPath}?{V}"));
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Put, $"{groupPath}/connections/{member.ConnectionId}?{V}"));
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Head, $"{groupPath}?{V}"));
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Get, $"/api/v1/hubs/updates/groups/{group}"));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"{groupPath}/:send?{V}", new { target = "notice", arguments = new[] { "in" } }));
        Assert.Equal("in", (await inbox.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15))).GetString());

        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"{groupPath}/:send?{V}&excluded={member.ConnectionId}", new { target = "notice", arguments = new[] { "excluded" } }));
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Delete, $"{groupPath}/connections/{member.ConnectionId}?{V}"));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"{groupPath}/:send?{V}", new { target = "notice", arguments = new[] { "after removal" } }));
        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Head, $"{groupPath}?{V}"));
        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Put, $"{groupPath}/connections/not-connected?{V}"));
        await AssertNothingMoreAsync(member, inbox);

        // A user in a group for one second: in, then out when the time to live has passed.
        var user = $"user-{Guid.NewGuid():N}";
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Put, $"/api/hubs/updates/users/{user}/groups/{group}?{V}&ttl=1"));
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/users/{user}/groups/{group}?{V}"));
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Get, $"/api/v1/hubs/updates/groups/{group}/users/{user}"));
        await WaitForStatusAsync(404, () => rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/users/{user}/groups/{group}?{V}"));

        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Put, $"/api/v1/hubs/updates/groups/{group}/users/{user}"));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Delete, $"/api/v1/hubs/updates/groups/{group}/users/{user}"));
        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/users/{user}/groups/{group}?{V}"));
        Assert.Equal(204, await rest.StatusAsync(HttpMethod.Delete, $"/api/hubs/updates/users/{user}/groups?{V}"));
    }

    [Fact]
    public async Task A_user_added_to_a_group_brings_the_connections_it_opens_later()
    {
        var (user, group) = ($"user-{Guid.NewGuid():N}", $"group-{Guid.NewGuid():N}");

        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Put, $"/api/hubs/updates/users/{user}/groups/{group}?{V}"));
        using var negotiate = UserNegotiate(user);
        await using var later = await UpdatesClient.ConnectAsync(negotiate, configure: AsUser(user));
        var inbox = later.Listen("notice");
        // The connection's own membership is settled once the service answers for it.
        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/connections/{later.ConnectionId}?{V}"));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, $"/api/hubs/updates/groups/{group}/:send?{V}", new { target = "notice", arguments = new[] { "hello" } }));

        Assert.Equal("hello", (await inbox.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15))).GetString());
    }

    [Fact]
    public async Task Closing_a_connection_disconnects_the_client()
    {
        await using var client = await UpdatesClient.ConnectAsync(fixture.Http);
        var connectionId = client.ConnectionId;
        var closed = new TaskCompletionSource();
        client.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        Assert.Equal(200, await rest.StatusAsync(HttpMethod.Delete, $"/api/hubs/updates/connections/{connectionId}?{V}&reason=test"));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(404, await rest.StatusAsync(HttpMethod.Head, $"/api/hubs/updates/connections/{connectionId}?{V}"));
    }

    [Fact]
    public async Task Rest_calls_with_a_bad_token_are_unauthorized()
    {
        const string path = "/api/hubs/updates/:send?" + V;
        const string audience = "http://localhost/api/hubs/updates/:send";
        var key = fixture.SignalR.AccessKey;
        var inAnHour = DateTimeOffset.UtcNow.AddHours(1);
        (string Name, string Token)[] tokens =
        [
            ("bad signature", Jwt.Create("a-different-access-key-0123456789", audience, inAnHour)),
            ("wrong audience", Jwt.Create(key, "http://localhost/api/hubs/otherhub/:send", inAnHour)),
            ("wrong host", Jwt.Create(key, audience.Replace("localhost", "example.com"), inAnHour)),
            ("expired", Jwt.Create(key, audience, DateTimeOffset.UtcNow.AddMinutes(-10))),
            ("alg none", Jwt.Create(key, audience, inAnHour, alg: "none")),
            ("alg RS256", Jwt.Create(key, audience, inAnHour, alg: "RS256")),
            ("no exp", WithoutExp(Jwt.Create(key, audience, inAnHour), key)),
            ("not a JWT", "hello"),
        ];

        foreach (var (name, token) in tokens)
        {
            Assert.True(await rest.StatusAsync(HttpMethod.Post, path, new { target = "x" }, token) == 401, $"{name} was not refused");
        }
    }

    [Fact]
    public async Task Rest_calls_accept_the_documented_and_the_sdk_audience()
    {
        const string path = "/api/hubs/updates/:send?" + V;
        var documented = Jwt.Create(fixture.SignalR.AccessKey, "http://localhost/api/hubs/updates/:send", DateTimeOffset.UtcNow.AddMinutes(5));
        var sdk = Jwt.Create(fixture.SignalR.AccessKey, $"http://localhost/api/hubs/updates/:send?{V}", DateTimeOffset.UtcNow.AddMinutes(5));
        var withPort = Jwt.Create(fixture.SignalR.AccessKey, $"http://localhost:{fixture.SignalR.Port}/api/hubs/updates/:send", DateTimeOffset.UtcNow.AddMinutes(5));
        var otherVersion = Jwt.Create(fixture.SignalR.AccessKey, "http://localhost/api/hubs/updates/:send?api-version=2021-01-01", DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, path, new { target = "x" }, documented));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, path, new { target = "x" }, sdk));
        Assert.Equal(202, await rest.StatusAsync(HttpMethod.Post, path, new { target = "x" }, withPort));
        Assert.Equal(401, await rest.StatusAsync(HttpMethod.Post, path, new { target = "x" }, otherVersion));
    }

    [Theory]
    [InlineData("POST", "/api/hubs/1bad/:send?" + V, 400)]
    [InlineData("POST", "/api/hubs/bad-hub/:send?" + V, 400)]
    [InlineData("POST", "/api/v1/hubs/bad!hub", 400)]
    [InlineData("POST", "/api/hubs/updates/:send", 400)]
    [InlineData("HEAD", "/api/hubs/updates/groups/%20%20?" + V, 400)]
    [InlineData("POST", "/api/hubs/updates/groups/g/:send?" + V, 202)]
    [InlineData("PUT", "/api/hubs/updates/users/u/groups/g?ttl=soon&" + V, 400)]
    public async Task Rest_calls_with_bad_names_or_parameters_are_bad_requests(string method, string path, int status) =>
        Assert.Equal(status, await rest.StatusAsync(new HttpMethod(method), path, method == "POST" ? new { target = "x" } : null));

    [Fact]
    public async Task A_send_without_a_target_or_with_a_body_over_1_MB_is_refused()
    {
        const string path = "/api/hubs/updates/:send?" + V;
        var huge = new StringContent($"{{\"target\":\"x\",\"arguments\":[\"{new string('a', 1024 * 1024)}\"]}}", Encoding.UTF8, "application/json");

        Assert.Equal(400, await rest.StatusAsync(HttpMethod.Post, path, new { arguments = new[] { 1 } }));
        Assert.Equal(400, await rest.StatusAsync(HttpMethod.Post, path, new StringContent("not json", Encoding.UTF8, "application/json")));
        Assert.Equal(413, await rest.StatusAsync(HttpMethod.Post, path, huge));
    }

    [Fact]
    public async Task Clients_with_a_bad_token_or_for_another_hub_are_unauthorized()
    {
        using var http = new HttpClient { BaseAddress = fixture.SignalR.Endpoint };
        var valid = Jwt.Create(fixture.SignalR.AccessKey, "http://localhost/client/?hub=updates", DateTimeOffset.UtcNow.AddMinutes(5));
        var expired = Jwt.Create(fixture.SignalR.AccessKey, "http://localhost/client/?hub=updates", DateTimeOffset.UtcNow.AddMinutes(-5));
        var forged = Jwt.Create("not-the-access-key-0123456789", "http://localhost/client/?hub=updates", DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(http, "updates", valid));
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(http, "updates", valid, inQuery: true));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(http, "other", valid));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(http, "updates", expired));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(http, "updates", forged));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(http, "updates", null));
    }

    private static async Task<HttpStatusCode> NegotiateAsync(HttpClient http, string hub, string? token, bool inQuery = false)
    {
        var url = $"/client/negotiate?hub={hub}&negotiateVersion=1" + (inQuery && token is not null ? $"&access_token={token}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (!inQuery && token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static string WithoutExp(string token, string key)
    {
        var parts = token.Split('.');
        var payload = System.Text.Json.Nodes.JsonNode.Parse(Jwt.Decode(parts[1]))!.AsObject();
        payload.Remove("exp");
        var body = Jwt.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return $"{parts[0]}.{body}.{Jwt.Encode(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{parts[0]}.{body}")))}";
    }

    /// <summary>Nothing else reached the client: a marker sent to it now arrives first.</summary>
    private async Task AssertNothingMoreAsync(UpdatesClient client, System.Threading.Channels.ChannelReader<System.Text.Json.JsonElement> inbox)
    {
        var marker = client.Listen("marker");
        Assert.Equal(202, await rest.SendToConnectionAsync(client.ConnectionId, "marker", "end"));
        await marker.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.False(inbox.TryRead(out var unexpected), $"unexpected message {unexpected}");
    }

    private static async Task WaitForStatusAsync(int expected, Func<Task<int>> status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await status() != expected)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>
    /// A negotiate answer for a signed-in user, as an app whose connection-info binding names a user id gives it
    /// (ours gives anonymous connections): the client's first request is answered here, and everything after it goes
    /// to the service, which is what these tests prove.
    /// </summary>
    private static HttpClient UserNegotiate(string user) => new() { BaseAddress = new Uri($"http://negotiate-{user}.invalid/") };

    private Action<IHubConnectionBuilder> AsUser(string user) => builder => builder.Services.Configure<HttpConnectionOptions>(options =>
        options.HttpMessageHandlerFactory = inner => new UserNegotiateHandler(fixture.SignalR, user) { InnerHandler = inner });

    private sealed class UserNegotiateHandler(SignalRServiceServer service, string user) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.RequestUri!.Host.EndsWith(".invalid", StringComparison.Ordinal))
            {
                return base.SendAsync(request, cancellationToken);
            }

            var url = $"http://localhost:{service.Port}/client/?hub=updates";
            var token = Jwt.Create(service.AccessKey, "http://localhost/client/?hub=updates", DateTimeOffset.UtcNow.AddMinutes(10),
                claims: new Dictionary<string, object> { ["nameid"] = user, ["asrs.s.uid"] = user });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { url, accessToken = token }), Encoding.UTF8, "application/json"),
            });
        }
    }
}
