using System.Diagnostics;
using System.Text;
using Azure.Messaging.EventHubs;
using Serverless.FunctionsHost.EventHubs;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Rpc;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Benchmarks;

/// <summary>
/// The function app as a real worker under the host stand-in (Azurite, the local SignalR Service, one WebSocket client
/// subscribed to every channel): how long the worker takes from process start to its first HTTP 200, and how long one
/// Ingest invocation takes over gRPC, empty and with a batch of 100 updates across 10 channels (store + push).
/// </summary>
public static class IngestBenchmark
{
    private const int BatchSize = 100;
    private const int Channels = 10;

    public static async Task RunAsync(int iterations = 200)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var signalR = await SignalRServiceServer.StartAsync();

        var clock = Stopwatch.StartNew();
        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Settings(azurite.ConnectionString, signalR.ConnectionString));
        var loaded = clock.Elapsed.TotalMilliseconds;
        using (var first = await app.Http.GetAsync("/api/channels"))
        {
            first.EnsureSuccessStatusCode();
        }

        Console.WriteLine($"cold start: worker process start → functions loaded {loaded:F0} ms, → first HTTP 200 {clock.Elapsed.TotalMilliseconds:F0} ms");

        var worker = await app.Supervisor.WaitForWorkerAsync(CancellationToken.None);
        var ingest = worker.Function("Ingest")!;
        // The worker and the in-process steps each write channels of their own, as each channel has one writer in Azure
        // (the owner of its Event Hubs partition).
        var channels = Enumerable.Range(0, Channels).Select(_ => TestEvents.NewChannel("bench")).ToArray();
        var directChannels = Enumerable.Range(0, Channels).Select(_ => TestEvents.NewChannel("bench")).ToArray();
        await using var client = await UpdatesClient.ConnectAsync(app.Http);
        await client.SubscribeAsync([.. channels, .. directChannels]);
        var partition = new EventHubInvocation.Partition("localhost", "updates", "ingest", "0");
        long eventHubSequence = 0;

        IReadOnlyList<EventData> NextBatch(int size, string[]? of = null)
        {
            var into = of ?? channels;
            var first = eventHubSequence;
            eventHubSequence += size;
            return [.. Enumerable.Range(0, size).Select(i =>
            {
                var n = first + i;
                var body = TestEvents.Update(into[i % Channels], $"evt-{n}", new { bid = 1.08 + n % 100 / 10000.0, ask = 1.09, n }, key: $"instrument-{i % 5}", version: n);
                return EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(body.ToJsonString())), partitionKey: into[i % Channels],
                    sequenceNumber: n, offsetString: (n * 1000).ToString(), enqueuedTime: DateTimeOffset.UtcNow);
            })];
        }

        async Task<double> InvokeAsync(IReadOnlyList<EventData> events)
        {
            var request = FunctionInvoker.NewRequest(ingest);
            EventHubInvocation.Fill(request, ingest.Trigger!.Name, partition, events, batched: true, binary: string.Equals(ingest.Trigger.Property("dataType"), "Binary", StringComparison.OrdinalIgnoreCase));
            var watch = Stopwatch.StartNew();
            var response = await worker.Channel.InvokeAsync(request, ingest.Name, CancellationToken.None);
            watch.Stop();
            return response.Result.Status == StatusResult.Types.Status.Success
                ? watch.Elapsed.TotalMilliseconds
                : throw new InvalidOperationException($"Ingest failed: {response.Result.Exception?.Message}");
        }

        for (var i = 0; i < 20; i++)
        {
            await InvokeAsync(NextBatch(BatchSize)); // warm-up: JIT, connections, table creation
        }

        var empty = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            empty.Add(await InvokeAsync([]));
        }

        // Each batch through the worker is followed by one through Ingest's steps in this process (no host, no
        // worker), so that both see the same Azurite, which slows as its tables grow: the difference is the worker's.
        var settings = FunctionAppServer.Settings(azurite.ConnectionString, signalR.ConnectionString);
        await using var inProcess = new InProcessIngest(settings);
        var batches = new List<IReadOnlyList<EventData>>(iterations);
        var times = new List<double>(iterations);
        var direct = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            var batch = NextBatch(BatchSize);
            batches.Add(batch);
            times.Add(await InvokeAsync(batch));
            var bodies = NextBatch(BatchSize, directChannels).Select(e => TestEvents.Batch([e.EventBody.ToString()], "0", e.SequenceNumber)[0]).ToList();
            var watch = Stopwatch.StartNew();
            await inProcess.RunAsync(bodies);
            direct.Add(watch.Elapsed.TotalMilliseconds);
        }

        var redelivery = new List<double>();
        foreach (var batch in batches.Take(Math.Min(50, iterations)))
        {
            redelivery.Add(await InvokeAsync(batch));
        }

        await Task.Delay(500);
        var pushes = client.Drain().Count;
        Console.WriteLine($"empty Ingest invocation (gRPC round trip + worker): {Latencies.Summary(empty)}");
        Console.WriteLine($"batch of {BatchSize} updates across {Channels} channels (store + push): {Latencies.Summary(times)}");
        Console.WriteLine($"throughput: {BatchSize * iterations / (times.Sum() / 1000):F0} updates/s on one invocation at a time");
        Console.WriteLine($"redelivered batch (nothing stored, all pushed again): {Latencies.Summary(redelivery)}");
        Console.WriteLine($"the same batch through Ingest's steps in this process (no host, no worker): {Latencies.Summary(direct)}");
        Console.WriteLine($"messages the client received: {pushes} for {2 * iterations + 20 + redelivery.Count} batches of {Channels} channels");
    }
}
