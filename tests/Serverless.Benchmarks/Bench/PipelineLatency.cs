using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Local.Publishing;
using Serverless.Testing.Chaos;
using Serverless.Testing.Telemetry;

namespace Serverless.Benchmarks.Bench;

/// <summary>What the latency workload measured.</summary>
public sealed record LatencyResult(
    int Channels, double Rate, double Seconds, double PublishedRate, long Measured, Distribution EndToEnd, StageBreakdown Stages, IReadOnlyList<string> Wrong);

/// <summary>
/// A steady rate through the whole pipeline: each update's time from its CloudEvents <c>time</c> (stamped as the
/// publisher takes it) to its arrival at a subscribed client, after a warm-up; and the time per stage from the
/// pipeline's spans, which the worker exports to the bench's OTLP receiver.
/// </summary>
public static class PipelineLatency
{
    // The first seconds pay for each channel's first read of its state, connections and JIT: about 10 s at 200/s
    // over 100 channels, read from the store spans of a run (bench --spans).
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ArrivalLimit = TimeSpan.FromMinutes(10);

    public static async Task<LatencyResult> RunAsync(ProcessStack stack, SpanCollector collector, int rate, int channels, int seconds, CancellationToken cancellationToken)
    {
        var events = new BenchEvents("latency", channels);
        var count = (int)(rate * (WarmUp.TotalSeconds + seconds));
        var heads = events.Heads(count);
        var sends = new ConcurrentDictionary<string, DateTimeOffset>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PublishTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = send => sends[send.SpanId.ToHexString()] = new DateTimeOffset(send.StartTimeUtc, TimeSpan.Zero),
        };
        ActivitySource.AddActivityListener(listener);
        await using var follower = await BenchFollower.StartAsync(stack.Api, events.Channels);
        await using var producer = new EventHubProducerClient(stack.EventHubsConnectionString, ProcessStack.Hub);
        var publisher = new RatePublisher(producer, rate, count);

        var clock = Stopwatch.StartNew();
        var publishing = publisher.RunAsync(UpdateSource.GenerateAsync(events.Next, cancellationToken), cancellationToken);
        await Task.Delay(WarmUp, cancellationToken);
        follower.ResetMeasurements();
        var measuredFrom = DateTimeOffset.UtcNow;
        await publishing;
        var publishedRate = count / clock.Elapsed.TotalSeconds;
        if (publisher.Stats.FailedCount > 0)
        {
            throw new InvalidOperationException($"{publisher.Stats.FailedCount} updates could not be published: {publisher.Stats.LastError}");
        }

        var wrong = new List<string>();
        try
        {
            await follower.WaitForHeadsAsync(heads, ArrivalLimit);
        }
        catch (OperationCanceledException)
        {
            wrong.Add($"not every update reached the client within {ArrivalLimit.TotalMinutes:0} minutes of the last send: {string.Join(", ", follower.Behind(heads).Take(5))}");
        }

        // The worker sends its spans every OTEL_BSP_SCHEDULE_DELAY (see BenchCommand).
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);

        var storedHeads = await PipelineThroughput.StoredHeadsAsync(stack.Api, "latency.", cancellationToken);
        wrong.AddRange(PipelineThroughput.Mismatches(heads, storedHeads));
        var latencies = follower.Latencies.ToList();
        return new LatencyResult(channels, rate, seconds, publishedRate, latencies.Count, Distribution.Of(latencies),
            StageBreakdown.From(collector.Spans, sends, measuredFrom), wrong);
    }
}
