using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Benchmarks.Bench;
using Serverless.Contracts.Settings;
using Serverless.Local.Publishing;
using Serverless.Pipeline.Retention;
using Serverless.Testing;
using Serverless.Testing.Chaos;
using Serverless.Testing.Telemetry;

namespace Serverless.Benchmarks;

/// <summary>
/// <c>retention [rate] [channels] [seconds] [minutes]</c> (docs/retention.md), every part its own process, each phase on
/// a fresh pipeline:
/// 1. the latency workload (rate updates/s over channels for seconds) without compaction, then again with compaction
///    every 10 s beside it (an age of 20 s, so that each run deletes about 10 s of updates): publish → client of both,
///    and compaction's rate in log rows deleted per second of compaction;
/// 2. the app's own Compact timer every minute with a one-minute retention, while updates go in at the rate for the
///    minutes: the number of log rows in the table every 30 seconds, which should stay flat.
/// Prints what it measured; asserts nothing.
/// </summary>
public static class RetentionBenchmark
{
    private static readonly TimeSpan CompactionAge = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CompactionInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Sample = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(int rate, int channels, int seconds, int minutes)
    {
        await using var collector = await SpanCollector.StartAsync();
        var quiet = Settings(collector, schedule: "0 0 0 1 1 *", maxAge: "00:00:00");

        Console.WriteLine($"retention: latency at {rate}/s over {channels} channels for {seconds} s, without compaction…");
        var without = await OnFreshStackAsync(quiet, stack => PipelineLatency.RunAsync(stack, collector, rate, channels, seconds, CancellationToken.None));

        Console.WriteLine($"retention: the same, with compaction every {CompactionInterval.TotalSeconds:0} s beside it (age {CompactionAge.TotalSeconds:0} s)…");
        long deleted = 0;
        var compacting = TimeSpan.Zero;
        var runs = 0;
        var with = await OnFreshStackAsync(quiet, async stack =>
        {
            var compactor = TestCompactor.For(stack.StorageConnectionString, new RetentionOptions { MaxUpdates = 0, MaxAge = CompactionAge, DeadLetterMaxAge = TimeSpan.Zero });
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var result = await compactor.RunAsync(CancellationToken.None);
                    (deleted, compacting, runs) = (deleted + result.UpdatesDeleted, compacting + result.Elapsed, runs + 1);
                    await Task.Delay(CompactionInterval, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });
            var latency = await PipelineLatency.RunAsync(stack, collector, rate, channels, seconds, CancellationToken.None);
            await stop.CancelAsync();
            await loop;
            return latency;
        });

        Console.WriteLine($"retention: {minutes} minutes at {rate}/s over {channels} channels, the app's Compact every minute keeping a minute…");
        var sizes = minutes == 0 ? [] : await OnFreshStackAsync(Settings(collector, schedule: "0 */1 * * * *", maxAge: "00:01:00"),
            stack => TableSizeAsync(stack, rate, channels, TimeSpan.FromMinutes(minutes)));

        Console.WriteLine();
        Console.WriteLine($"| publish → client, {rate}/s over {channels} channels, {seconds} s | p50 | p95 | p99 | max |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| without compaction | {without.EndToEnd.P50:N0} ms | {without.EndToEnd.P95:N0} ms | {without.EndToEnd.P99:N0} ms | {without.EndToEnd.Max:N0} ms |");
        Console.WriteLine($"| with compaction every {CompactionInterval.TotalSeconds:0} s | {with.EndToEnd.P50:N0} ms | {with.EndToEnd.P95:N0} ms | {with.EndToEnd.P99:N0} ms | {with.EndToEnd.Max:N0} ms |");
        Console.WriteLine();
        Console.WriteLine($"Compaction beside it: {runs} runs, {deleted:N0} log rows deleted in {compacting.TotalSeconds:F1} s of compaction: {(compacting > TimeSpan.Zero ? deleted / compacting.TotalSeconds : 0):N0} rows/s.");
        Console.WriteLine($"Wrong (lost or duplicated): {string.Join("; ", without.Wrong.Concat(with.Wrong).DefaultIfEmpty("none"))}");
        Console.WriteLine();
        Console.WriteLine("| minute | log rows in the table |");
        Console.WriteLine("| --- | --- |");
        foreach (var (at, rows) in sizes)
        {
            Console.WriteLine($"| {at.TotalMinutes:F1} | {rows:N0} |");
        }
    }

    private static async Task<List<(TimeSpan At, int Rows)>> TableSizeAsync(ProcessStack stack, int rate, int channels, TimeSpan duration)
    {
        var events = new BenchEvents("retention", channels);
        await using var producer = new EventHubProducerClient(stack.EventHubsConnectionString, ProcessStack.Hub);
        var count = (int)(rate * duration.TotalSeconds);
        using var done = new CancellationTokenSource();
        var publishing = new RatePublisher(producer, rate, count).RunAsync(UpdateSource.GenerateAsync(events.Next, done.Token), done.Token);
        var table = new TableClient(stack.StorageConnectionString, SettingDefaults.UpdatesTable);
        var sizes = new List<(TimeSpan, int)>();
        var clock = Stopwatch.StartNew();
        while (!publishing.IsCompleted)
        {
            await Task.WhenAny(publishing, Task.Delay(Sample));
            var rows = await LogRowsAsync(table);
            sizes.Add((clock.Elapsed, rows));
            Console.WriteLine($"retention: {clock.Elapsed.TotalMinutes:F1} min, {rows:N0} log rows");
        }

        await publishing;
        return sizes;
    }

    // Log rows only: not heads, key rows, the channel index or the layout row.
    private static async Task<int> LogRowsAsync(TableClient table)
    {
        var rows = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(select: ["RowKey"], maxPerPage: 1000))
        {
            var bar = entity.RowKey.LastIndexOf('|');
            if (bar >= 0 && bar + 1 < entity.RowKey.Length && char.IsAsciiDigit(entity.RowKey[bar + 1]))
            {
                rows++;
            }
        }

        return rows;
    }

    private static Dictionary<string, string> Settings(SpanCollector collector, string schedule, string maxAge)
    {
        var settings = BenchCommand.TelemetrySettings(collector);
        settings[SettingNames.RetentionSchedule] = schedule;
        settings[SettingNames.RetentionMaxAge] = maxAge;
        settings[SettingNames.RetentionMaxUpdates] = "0";
        return settings;
    }

    private static async Task<T> OnFreshStackAsync<T>(Dictionary<string, string> settings, Func<ProcessStack, Task<T>> run)
    {
        var data = Directory.CreateTempSubdirectory("retention-").FullName;
        var stack = await ProcessStack.StartAsync(data, appSettings: settings);
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
}
