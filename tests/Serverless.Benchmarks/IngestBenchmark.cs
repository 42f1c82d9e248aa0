using System.Diagnostics;
using System.Text;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Benchmarks;

/// <summary>
/// How long one invocation with a batch of 100 updates across 10 channels takes to store (real Azurite) and push
/// (the local SignalR Service, to one WebSocket client subscribed to every channel), end to end through POST /Ingest.
/// </summary>
public static class IngestBenchmark
{
    private const int BatchSize = 100;
    private const int Channels = 10;

    public static async Task RunAsync(int iterations = 200)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var signalR = await SignalRServiceServer.StartAsync();
        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Settings(azurite.ConnectionString, signalR.ConnectionString));

        var channels = Enumerable.Range(0, Channels).Select(_ => TestEvents.NewChannel("bench")).ToArray();
        await using var client = await UpdatesClient.ConnectAsync(app.Http);
        await client.SubscribeAsync(channels);
        long eventHubSequence = 0;

        string NextBatch()
        {
            var first = eventHubSequence;
            var events = Enumerable.Range(0, BatchSize).Select(i =>
            {
                var n = first + i;
                return TestEvents.Update(channels[i % Channels], $"evt-{n}", new { bid = 1.08 + n % 100 / 10000.0, ask = 1.09, n },
                    key: $"instrument-{i % 5}", version: n);
            });
            eventHubSequence += BatchSize;
            return TestEvents.Invocation(events, partitionId: "0", firstSequenceNumber: first);
        }

        async Task<double> IngestAsync(string invocation)
        {
            var watch = Stopwatch.StartNew();
            using var response = await app.Http.PostAsync("/Ingest", new StringContent(invocation, Encoding.UTF8, "application/json"));
            watch.Stop();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < 20; i++)
        {
            await IngestAsync(NextBatch()); // warm-up: JIT, connections, table creation
        }

        var batches = Enumerable.Range(0, iterations).Select(_ => NextBatch()).ToList();
        var times = new List<double>(iterations);
        foreach (var batch in batches)
        {
            times.Add(await IngestAsync(batch));
        }

        var redelivery = new List<double>();
        foreach (var batch in batches.Take(Math.Min(50, iterations)))
        {
            redelivery.Add(await IngestAsync(batch));
        }

        await Task.Delay(500);
        var pushes = client.Drain().Count;
        Console.WriteLine($"batch of {BatchSize} updates across {Channels} channels (store + push): {Latencies.Summary(times)}");
        Console.WriteLine($"throughput: {BatchSize * iterations / (times.Sum() / 1000):F0} updates/s on one invocation at a time");
        Console.WriteLine($"redelivered batch (nothing stored, all pushed again): {Latencies.Summary(redelivery)}");
        Console.WriteLine($"messages the client received: {pushes} for {iterations + 20 + redelivery.Count} batches of {Channels} channels");
    }
}
