using System.Diagnostics;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Benchmarks.Bench;
using Serverless.Local.Publishing;
using Serverless.Testing;
using Serverless.Testing.Chaos;
using Serverless.Testing.Telemetry;

namespace Serverless.Benchmarks;

/// <summary>
/// <c>instances [updates] [counts] [rate]</c> (docs/scale.md#several-instances), every part its own process, the app's own
/// host.json (balancing every 10 s, ownership for 30 s):
/// 1. for each count of instances (1,2,4), on a fresh pipeline: wait until the partitions are shared, warm up with
///    10,000 updates per instance of the largest count, then the wide burst (updates over 1,000 channels, to a subscribed client): its rate end to end,
///    and the CPU it cost the machine and each kind of process;
/// 2. on two instances, at rate updates/s over 100 channels: one instance stopped (SIGTERM), then, on a fresh pair, one
///    killed (SIGKILL with its worker); for each, how long until every channel had an update stored again, which is
///    the longest any partition went unprocessed.
/// Prints what it measured; asserts nothing.
/// </summary>
public static class InstancesBenchmark
{
    private const int Partitions = 4;
    private const int WarmUpPerInstance = 10_000;

    public static async Task RunAsync(int updates, IReadOnlyList<int> counts, int rate)
    {
        await using var collector = await SpanCollector.StartAsync();
        var rates = new List<(int Instances, ThroughputResult Result, double CpuPerUpdate)>();
        foreach (var count in counts)
        {
            Console.WriteLine($"instances: {count}, the wide burst of {updates:N0} updates over 1,000 channels…");
            var result = await OnFreshStackAsync(collector, count, async stack =>
            {
                var settled = await SharedAsync(stack, count);
                Console.WriteLine($"instances: {count}: partitions shared after {settled.TotalSeconds:0.0} s; a warm-up burst…");
                // Every worker and host compiles its hot paths as it first runs them, and optimizes them after some
                // runs: a cost per process, so the warm-up gives each instance of the largest count as many batches.
                // Every count gets the same warm-up, so that each burst meets a table of the same size (Azurite's
                // queries scan the whole table).
                await PipelineThroughput.RunAsync(stack, collector, "warm", 1000, WarmUpPerInstance * counts.Max(), CancellationToken.None);
                var busy = MachineCpu.BusySeconds();
                var parts = PartCpu.Seconds();
                var burst = await PipelineThroughput.RunAsync(stack, collector, "wide", 1000, updates, CancellationToken.None);
                Console.WriteLine($"instances: {count}: CPU by part: {PartCpu.Between(parts, PartCpu.Seconds())}");
                return (Burst: burst, CpuPerUpdate: (MachineCpu.BusySeconds() - busy) * 1000 / updates ?? 0);
            });
            Console.WriteLine($"instances: {count}: {result.Burst.Rate:N0} updates/s end to end, batches of {result.Burst.MeanBatchSize:F0}, {result.Burst.Fetched:N0} fetched by the client, {result.CpuPerUpdate:0.00} CPU-ms per update{(result.Burst.Wrong.Count > 0 ? $"; WRONG: {string.Join("; ", result.Burst.Wrong)}" : "")}");
            rates.Add((count, result.Burst, result.CpuPerUpdate));
        }

        var stopped = await OnFreshStackAsync(collector, 2, stack => GapAsync(stack, rate, "instance stopped (SIGTERM)", () => stack.StopInstanceAsync("host-2")));
        var killed = await OnFreshStackAsync(collector, 2, stack => GapAsync(stack, rate, "instance killed (SIGKILL)", () => stack.KillInstanceAsync("host-2")));

        Console.WriteLine();
        Console.WriteLine("| instances | updates/s end to end (wide, 1,000 channels) | vs. one | mean batch | machine CPU-ms per update |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (count, result, cpu) in rates)
        {
            Console.WriteLine($"| {count} | {result.Rate:N0} | {result.Rate / rates[0].Result.Rate:0.00} | {result.MeanBatchSize:F0} | {cpu:0.00} |");
        }

        Console.WriteLine();
        Console.WriteLine("| on two instances, at {0}/s over 100 channels | first update stored after | every channel stored after |", rate);
        Console.WriteLine("| --- | --- | --- |");
        foreach (var gap in new[] { stopped, killed })
        {
            Console.WriteLine($"| {gap.Fault} | {gap.First.TotalSeconds:0.0} s | {gap.Every.TotalSeconds:0.0} s |");
        }
    }

    private static async Task<T> OnFreshStackAsync<T>(SpanCollector collector, int instances, Func<ProcessStack, Task<T>> run)
    {
        var data = Directory.CreateTempSubdirectory("bench-instances-").FullName;
        var stack = await ProcessStack.StartAsync(data, Partitions, BenchCommand.TelemetrySettings(collector), instances: instances);
        try
        {
            return await run(stack);
        }
        finally
        {
            await stack.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Waits until every partition has an owner and each instance has its share.</summary>
    private static async Task<TimeSpan> SharedAsync(ProcessStack stack, int instances)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var shares = (await PartitionOwners.SharesAsync(stack.StorageConnectionString, stack.EventHubsPort, ProcessStack.Hub, "ingest")).Values.ToArray();
            if (shares.Sum() == Partitions && shares.Length == Math.Min(instances, Partitions) && shares.Max() - shares.Min() <= 1)
            {
                return clock.Elapsed;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"the partitions were not shared between {instances} instances within 3 minutes");
    }

    /// <summary>Publishes steadily, applies the fault, and measures from it until the first and until every channel had an update stored.</summary>
    private static async Task<(string Fault, TimeSpan First, TimeSpan Every)> GapAsync(ProcessStack stack, int rate, string fault, Func<Task> apply)
    {
        await SharedAsync(stack, 2);
        var events = new BenchEvents("gap", 100);
        await using var producer = new EventHubProducerClient(stack.EventHubsConnectionString, ProcessStack.Hub);
        using var stop = new CancellationTokenSource();
        var publisher = new RatePublisher(producer, rate, count: null);
        var publishing = publisher.RunAsync(UpdateSource.GenerateAsync(events.Next, stop.Token), stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(10));

        Console.WriteLine($"instances: {fault}…");
        var clock = Stopwatch.StartNew();
        await apply();
        // Read after the fault: the instance may store a last batch while it is being stopped or killed.
        var before = await PipelineThroughput.StoredHeadsAsync(stack.Api, "gap.", CancellationToken.None);
        TimeSpan? first = null;
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            Dictionary<string, long> now;
            try
            {
                now = await PipelineThroughput.StoredHeadsAsync(stack.Api, "gap.", CancellationToken.None);
            }
            catch (HttpRequestException ex)
            {
                // A request the stopping instance answered 503 (Retry-After), as clients see it: asked again.
                Console.WriteLine($"instances: {clock.Elapsed.TotalSeconds:0.0} s: {ex.Message.Split('\n')[0]}");
                await Task.Delay(200);
                continue;
            }

            var advanced = before.Keys.Count(c => now.GetValueOrDefault(c) > before[c]);
            first ??= advanced > 0 ? clock.Elapsed : null;
            if (advanced == before.Count)
            {
                break;
            }

            await Task.Delay(200);
        }

        var every = clock.Elapsed;
        await stop.CancelAsync();
        await publishing.ContinueWith(_ => { }, TaskScheduler.Default);
        Console.WriteLine($"instances: {fault}: first stored after {first?.TotalSeconds:0.0} s, every channel after {every.TotalSeconds:0.0} s");
        return (fault, first ?? every, every);
    }
}
