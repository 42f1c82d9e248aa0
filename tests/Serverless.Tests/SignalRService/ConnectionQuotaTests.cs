using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Serverless.Testing;

namespace Serverless.Tests.SignalRService;

/// <summary>
/// The local SignalR Service keeps its tier's connection quota as Azure does (docs/signalr-service.md#connection-quota):
/// the Free tier's 20 connections are taken, the next negotiate is refused with 429, and a closed connection frees its place.
/// </summary>
public sealed class ConnectionQuotaTests
{
    private const int FreeConnections = 20;

    [Fact]
    public async Task The_free_tier_takes_20_connections_and_refuses_the_next_with_429()
    {
        await using var service = await SignalRServiceServer.StartAsync(tier: "Free");
        var url = new Uri(service.Endpoint, "/client/?hub=updates");
        var token = Jwt.Create(service.AccessKey, $"{url.Scheme}://{url.Host}/client/?hub=updates", DateTimeOffset.UtcNow.AddMinutes(10));
        HubConnection Connection() => new HubConnectionBuilder().WithUrl(url, options => options.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        var connections = new List<HubConnection>();
        try
        {
            for (var i = 0; i < FreeConnections; i++)
            {
                var connection = Connection();
                await connection.StartAsync();
                connections.Add(connection);
            }

            await using var extra = Connection();
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => extra.StartAsync());
            using var http = new HttpClient { BaseAddress = service.Endpoint };
            using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/client/negotiate?hub=updates&negotiateVersion=1");
            negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await http.SendAsync(negotiate);
            var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
            Assert.Equal("Error.TooManyRequests", body.GetProperty("code").GetString());

            // A connection that ends frees its place.
            await connections[0].DisposeAsync();
            connections.RemoveAt(0);
            var again = await Poll.UntilAsync(async () =>
            {
                var connection = Connection();
                try
                {
                    await connection.StartAsync();
                    return connection;
                }
                catch (HttpRequestException)
                {
                    await connection.DisposeAsync();
                    return null;
                }
            }, TimeSpan.FromSeconds(15));
            connections.Add(again);
            Assert.Equal(HubConnectionState.Connected, again.State);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
