using System.Text.Json;
using Serverless.Testing.Chaos;
using Serverless.Testing.Telemetry;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// <c>bench [--updates N] [--rate R] [--seconds S] [--channels C] [--only hot,wide,latency] [--storage-in-memory] [--json FILE] [--spans FILE]</c>: the
/// local pipeline measured against the Table Storage under it, in one run on free ports and a temporary folder. For each shape, hot
/// (4 channels) and wide (1,000 channels), the raw store's rate for the same entities and partitions, then N updates
/// (50,000) through the whole pipeline to a subscribed client; then the latency workload, R updates/s (1,000) over
/// C channels (100) for S seconds (60), with a breakdown per stage from the pipeline's traces. Prints one table and writes
/// it as JSON; <c>--spans</c> also keeps every span the worker sent, for a closer look; <c>--storage-in-memory</c> runs
/// Azurite without saving to disk (its saves pause every write every few seconds, which Azure Table Storage does not). Exit code 1 when an update was
/// lost or duplicated, whatever the speed.
/// </summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        await using var collector = await SpanCollector.StartAsync();
        var shapes = new List<ShapeResult>();
        var failures = new List<string>();
        foreach (var (workload, channels) in new[] { ("hot", 4), ("wide", 1000) }.Where(w => options.Runs(w.Item1)))
        {
            var shape = await OnFreshStackAsync(workload, options, collector, failures, async stack =>
            {
                // The store is measured before the pipeline and again after it, in reverse order: Azurite slows down
                // over its life (hot's raw rate fell from 1,310 to 804 entities/s over one run), so the pipeline is
                // compared with the mean of both, as of the same moment.
                Console.WriteLine($"{workload}: raw Table Storage, {options.Updates:N0} entities over {channels:N0} partitions…");
                var raw = await RawTableCapacity.MeasureAsync(stack.StorageConnectionString, channels, options.Updates, CancellationToken.None);
                var perTransaction = RawTableCapacity.UpdatesPerTransaction(channels, stack.Partitions);
                var rows = await RawTableCapacity.MeasurePipelineRowsAsync(stack.StorageConnectionString, channels, options.Updates, stack.Partitions, CancellationToken.None);
                Console.WriteLine($"{workload}: {raw:N0} entities/s; the pipeline's rows, {perTransaction} updates of a channel per transaction as its batches hold them, {RawTableCapacity.PipelineInFlight(channels, stack.Partitions)} in flight, {rows:N0} updates/s. The pipeline, {options.Updates:N0} updates over {channels:N0} channels…");
                var pipeline = await PipelineThroughput.RunAsync(stack, collector, workload, channels, options.Updates, CancellationToken.None);
                Console.WriteLine($"{workload}: {pipeline.Rate:N0} updates/s end to end ({pipeline.EndToEndSeconds:F1} s; batches of {pipeline.MeanBatchSize:F0} events on average). The store again, after it…");
                var rowsAfter = await RawTableCapacity.MeasurePipelineRowsAsync(stack.StorageConnectionString, channels, options.Updates, stack.Partitions, CancellationToken.None);
                var rawAfter = await RawTableCapacity.MeasureAsync(stack.StorageConnectionString, channels, options.Updates, CancellationToken.None);
                Console.WriteLine($"{workload}: the pipeline's rows {rowsAfter:N0} updates/s, raw {rawAfter:N0} entities/s");
                return new ShapeResult(pipeline, new Bracket(raw, rawAfter), new Bracket(rows, rowsAfter), perTransaction);
            });
            if (shape is not null)
            {
                shapes.Add(shape);
            }
        }

        var latency = !options.Runs("latency") ? null : await OnFreshStackAsync("latency", options, collector, failures, stack =>
        {
            Console.WriteLine($"latency: {options.Rate:N0} updates/s over {options.Channels:N0} channels for {options.Seconds} s…");
            return PipelineLatency.RunAsync(stack, collector, options.Rate, options.Channels, options.Seconds, CancellationToken.None);
        });

        var report = new BenchReport(DateTimeOffset.UtcNow, await BenchReport.CurrentCommitAsync(), Machine.Current(), shapes, latency, failures, options.StorageInMemory);
        Console.WriteLine();
        Console.WriteLine(report.ToTable());
        var json = options.Json ?? $"bench-{report.Commit}-{report.Date:yyyyMMdd-HHmm}.json";
        await File.WriteAllTextAsync(json, report.ToJson());
        Console.WriteLine($"Written to {Path.GetFullPath(json)}");
        if (options.Spans is { } spans)
        {
            await File.WriteAllLinesAsync(spans, collector.Spans.Select(span => JsonSerializer.Serialize(span)));
            Console.WriteLine($"The worker's {collector.Spans.Count:N0} spans, one JSON object a line: {Path.GetFullPath(spans)}");
        }

        return report.Wrong.Any() ? 1 : 0;
    }

    /// <summary>
    /// Runs a workload on a pipeline of its own, started empty, so that no workload pays for what an earlier one left in
    /// the store. A workload that fails is noted, with where each part's output is kept, and the bench goes on.
    /// </summary>
    private static async Task<T?> OnFreshStackAsync<T>(string workload, BenchOptions options, SpanCollector collector, List<string> failures, Func<ProcessStack, Task<T>> run)
        where T : class
    {
        var data = Directory.CreateTempSubdirectory("bench-").FullName;
        Console.WriteLine($"{workload}: starting the local pipeline, every part its own process (data in {data}{(options.StorageInMemory ? "; Azurite's in memory" : "")})…");
        var stack = await ProcessStack.StartAsync(data, appSettings: TelemetrySettings(collector), storageInMemory: options.StorageInMemory);
        try
        {
            var result = await run(stack);
            await stack.DisposeAsync();
            Directory.Delete(data, recursive: true);
            return result;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var logs = Path.Combine(data, "logs");
            stack.WriteLogs(logs);
            await stack.DisposeAsync();
            failures.Add($"{workload}: {ex.GetType().Name}: {ex.Message} (each part's output is in {logs})");
            Console.Error.WriteLine(failures[^1]);
            return null;
        }
    }

    // The worker sends its spans to the bench's collector, often enough and with room for a busy second.
    internal static Dictionary<string, string> TelemetrySettings(SpanCollector collector) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
        ["OTEL_BSP_MAX_QUEUE_SIZE"] = "200000",
        ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "4096",
        ["OTEL_SPAN_LINK_COUNT_LIMIT"] = "1000",
    };
}

public sealed record BenchOptions(int Updates, int Rate, int Seconds, IReadOnlySet<string>? Only, string? Json, string? Spans = null, int Channels = 100, bool StorageInMemory = false)
{
    public bool Runs(string workload) => Only is null || Only.Contains(workload);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(50_000, 1000, 60, null, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--updates" => options with { Updates = int.Parse(Value()) },
                "--rate" => options with { Rate = int.Parse(Value()) },
                "--seconds" => options with { Seconds = int.Parse(Value()) },
                "--channels" => options with { Channels = int.Parse(Value()) },
                "--storage-in-memory" => options with { StorageInMemory = true },
                "--only" => options with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() },
                "--json" => options with { Json = Value() },
                "--spans" => options with { Spans = Value() },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }

        return options;
    }
}
