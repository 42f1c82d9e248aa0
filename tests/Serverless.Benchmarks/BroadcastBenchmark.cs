using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Serverless.Pipeline.Push;
using Serverless.Testing;

namespace Serverless.Benchmarks;

/// <summary>
/// How many messages per second the local SignalR Service delivers to 100 WebSocket clients: REST broadcasts
/// (<c>POST /api/hubs/bench/:send</c>) from a few concurrent senders, each delivered to every client.
/// </summary>
public static class BroadcastBenchmark
{
    public static async Task RunAsync(int clients = 100, int broadcasts = 2000, int senders = 4)
    {
        await using var service = await SignalRServiceServer.StartAsync();
        var connections = new List<HubConnection>();
        long delivered = 0;
        var allDelivered = new TaskCompletionSource();
        var expected = (long)clients * broadcasts;
        for (var i = 0; i < clients; i++)
        {
            var token = Token(service.AccessKey, "http://localhost/client/?hub=bench");
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(service.Endpoint, "/client/?hub=bench"), options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    options.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                    options.SkipNegotiation = true;
                })
                .Build();
            connection.On<object>("tick", _ =>
            {
                if (Interlocked.Increment(ref delivered) == expected)
                {
                    allDelivered.TrySetResult();
                }
            });
            await connection.StartAsync();
            connections.Add(connection);
        }

        using var http = new HttpClient { BaseAddress = service.Endpoint };
        var body = JsonSerializer.Serialize(new { target = "tick", arguments = new object[] { new { channel = "prices.EURUSD", epoch = "e", updates = new[] { new { seq = 1, id = "x", type = "t", data = new { bid = 1.08, ask = 1.09 } } } } } });
        var watch = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < broadcasts)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hubs/bench/:send?api-version=2022-06-01")
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(service.AccessKey, "http://localhost/api/hubs/bench/:send"));
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
        }));
        var sent = watch.Elapsed;
        await allDelivered.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var done = watch.Elapsed;

        Console.WriteLine($"broadcast to {clients} WebSocket clients: {broadcasts} REST sends in {sent.TotalSeconds:F2} s ({broadcasts / sent.TotalSeconds:F0} sends/s), " +
            $"{expected} messages delivered in {done.TotalSeconds:F2} s = {expected / done.TotalSeconds:F0} messages/s");
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    private static string Token(string key, string audience) =>
        ServiceJwt.Create(key, audience, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
}
