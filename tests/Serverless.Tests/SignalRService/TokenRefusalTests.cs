using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Testing;

namespace Serverless.Tests.SignalRService;

/// <summary>
/// The local SignalR Service lets no one in without a good token: every REST route, read from the service's own
/// endpoints, and every client transport refuse forged, expired, wrong-audience, wrong-algorithm and missing tokens
/// with 401, and take the good one.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class TokenRefusalTests(PipelineFixture fixture)
{
    private const string Hub = "updates";
    private const string ApiVersion = "api-version=2022-06-01";

    /// <summary>Bad tokens for a URL, each named, made from the audience the good token would carry.</summary>
    private IEnumerable<(string Name, string? Token)> BadTokens(string audience)
    {
        var key = fixture.SignalR.AccessKey;
        var inAnHour = DateTimeOffset.UtcNow.AddHours(1);
        var audienceUri = new Uri(audience);
        yield return ("forged: signed with another key", Jwt.Create("a-different-access-key-0123456789", audience, inAnHour));
        yield return ("expired", Jwt.Create(key, audience, DateTimeOffset.UtcNow.AddMinutes(-10)));
        yield return ("wrong audience: another path", Jwt.Create(key, $"{audienceUri.Scheme}://{audienceUri.Host}/api/hubs/other/:send", inAnHour));
        yield return ("wrong audience: another host", Jwt.Create(key, audience.Replace("localhost", "example.com"), inAnHour));
        yield return ("alg none", Jwt.Create(key, audience, inAnHour, alg: "none"));
        yield return ("alg HS256 with its signature cut off", Unsigned(Jwt.Create(key, audience, inAnHour)));
        yield return ("alg RS256", Jwt.Create(key, audience, inAnHour, alg: "RS256"));
        yield return ("not valid for an hour yet", Jwt.Create(key, audience, inAnHour.AddHours(1), claims: new Dictionary<string, object> { ["nbf"] = inAnHour.ToUnixTimeSeconds() }));
        yield return ("payload changed after signing", Tampered(Jwt.Create(key, audience, inAnHour)));
        yield return ("not a JWT", "not-a-token");
        yield return ("empty", "");
        yield return ("none", null);
    }

    [Fact]
    public async Task Every_rest_route_refuses_every_bad_token_and_takes_the_good_one()
    {
        var routes = RestRoutes();
        using var http = new HttpClient { BaseAddress = fixture.SignalR.Endpoint };
        var refusedWrongly = new List<string>();

        foreach (var (method, path) in routes)
        {
            var audience = $"http://localhost{path.Split('?')[0]}";
            foreach (var (name, token) in BadTokens(audience))
            {
                using var response = await SendAsync(http, method, path, token);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    refusedWrongly.Add($"{method} {path} with a token {name}: {(int)response.StatusCode}");
                }
            }

            using var good = await SendAsync(http, method, path, Jwt.Create(fixture.SignalR.AccessKey, audience, DateTimeOffset.UtcNow.AddMinutes(5)));
            if (good.StatusCode is HttpStatusCode.Unauthorized or >= HttpStatusCode.InternalServerError)
            {
                refusedWrongly.Add($"{method} {path} with the good token: {(int)good.StatusCode}");
            }
        }

        Assert.True(routes.Count >= 30, $"only {routes.Count} REST routes were found");
        Assert.True(refusedWrongly.Count == 0, string.Join("\n", refusedWrongly));
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task The_official_client_on_each_transport_is_refused_with_every_bad_token(HttpTransportType transport)
    {
        const string audience = $"http://localhost/client/?hub={Hub}";
        foreach (var (name, token) in BadTokens(audience))
        {
            await using var connection = Connect(transport, token);

            var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

            Assert.True(error.StatusCode == HttpStatusCode.Unauthorized, $"{transport} with a token {name}: {error.StatusCode} {error.Message}");
        }

        await using var good = Connect(transport, Jwt.Create(fixture.SignalR.AccessKey, audience, DateTimeOffset.UtcNow.AddMinutes(5)));
        await good.StartAsync();
        Assert.Equal(HubConnectionState.Connected, good.State);
    }

    /// <summary>
    /// A client that negotiated with a good token and then opens (or polls, or posts to) its transport with a bad one is
    /// refused there too: every request under <c>/client</c> is checked, not only negotiate.
    /// </summary>
    [Fact]
    public async Task Each_transport_request_after_a_good_negotiate_is_refused_with_a_bad_token()
    {
        const string audience = $"http://localhost/client/?hub={Hub}";
        using var http = new HttpClient { BaseAddress = fixture.SignalR.Endpoint };
        var good = Jwt.Create(fixture.SignalR.AccessKey, audience, DateTimeOffset.UtcNow.AddMinutes(5));
        var wrong = new List<string>();

        foreach (var (name, token) in BadTokens(audience))
        {
            var connectionToken = await NegotiateAsync(http, good);
            var url = $"/client/?hub={Hub}&id={connectionToken}" + (token is null ? "" : $"&access_token={Uri.EscapeDataString(token)}");

            using var poll = await http.GetAsync(url);
            using var post = await http.PostAsync(url, new ByteArrayContent("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray()));
            using var events = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/event-stream") } } };
            using var stream = await http.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
            var socket = await WebSocketStatusAsync(url);

            foreach (var (request, status) in new[] { ("long-polling GET", poll.StatusCode), ("POST", post.StatusCode), ("event stream", stream.StatusCode), ("WebSocket upgrade", socket) })
            {
                if (status != HttpStatusCode.Unauthorized)
                {
                    wrong.Add($"{request} with a token {name}: {(int)status}");
                }
            }
        }

        // The same requests with the good token get through: the event stream opens.
        var accepted = $"/client/?hub={Hub}&id={await NegotiateAsync(http, good)}&access_token={Uri.EscapeDataString(good)}";
        using var open = new HttpRequestMessage(HttpMethod.Get, accepted) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/event-stream") } } };
        using var opened = await http.SendAsync(open, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Every REST route the service maps, with its route values filled in and the api-version where it is needed.</summary>
    private List<(string Method, string Path)> RestRoutes()
    {
        var endpoints = fixture.SignalR.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var routes = new List<(string, string)>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (!pattern.StartsWith("/api/hubs") && !pattern.StartsWith("/api/v1/hubs"))
            {
                continue;
            }

            var path = pattern
                .Replace("{hub}", Hub)
                .Replace("{group}", "g1")
                .Replace("{user}", "u1")
                .Replace("{connectionId}", "c1");
            path += pattern.StartsWith("/api/hubs") ? $"?{ApiVersion}" : "";
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes.Add((method, path));
            }
        }

        return routes;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        if (method == "POST")
        {
            request.Content = new StringContent("""{"target":"x","arguments":[]}""", Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    private HubConnection Connect(HttpTransportType transport, string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(fixture.SignalR.Endpoint, $"/client/?hub={Hub}"), options =>
        {
            options.Transports = transport;
            options.SkipNegotiation = false;
            options.AccessTokenProvider = () => Task.FromResult(token);
        })
        .Build();

    private static async Task<string> NegotiateAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/client/negotiate?hub={Hub}&negotiateVersion=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("connectionToken").GetString()!;
    }

    private async Task<HttpStatusCode> WebSocketStatusAsync(string url)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new Uri($"ws://localhost:{fixture.SignalR.Port}{url}"), CancellationToken.None);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    // Header and payload with an empty signature.
    private static string Unsigned(string token) => token[..(token.LastIndexOf('.') + 1)];

    // The payload changed after signing, the signature kept.
    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Jwt.Decode(parts[1])).Replace("\"exp\":", "\"x\":1,\"exp\":");
        return $"{parts[0]}.{Jwt.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }
}
