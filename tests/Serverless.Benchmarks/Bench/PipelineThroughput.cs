using System.Diagnostics;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Local.Publishing;
using Serverless.Testing.Chaos;
using Serverless.Testing.Telemetry;
using Serverless.Updates.Client;

namespace Serverless.Benchmarks.Bench;

/// <summary>What one throughput workload measured.</summary>
public sealed record ThroughputResult(
    string Workload, int Channels, int Updates, double PublishSeconds, double EndToEndSeconds, long Stored, long Received, long Fetched,
    double MeanBatchSize, IReadOnlyList<string> Wrong)
{
    /// <summary>Updates per second from the start of publishing until the last was stored and received.</summary>
    public double Rate => Updates / EndToEndSeconds;
}

/// <summary>
/// A burst through the whole pipeline: the updates published as fast as the official SDK sends them, and a subscribed
/// client following every channel. Timed from the first send until the client holds every update, which it can only
/// once each is stored (store, then push; a gap is fetched from storage). Then each channel's stored head is checked
/// against what was sent.
/// </summary>
public static class PipelineThroughput
{
    public static async Task<ThroughputResult> RunAsync(ProcessStack stack, SpanCollector collector, string workload, int channels, int updates, CancellationToken cancellationToken)
    {
        var events = new BenchEvents(workload, channels);
        var heads = events.Heads(updates);
        await using var follower = await BenchFollower.StartAsync(stack.Api, events.Channels);
        await using var producer = new EventHubProducerClient(stack.EventHubsConnectionString, ProcessStack.Hub);
        var publisher = new RatePublisher(producer, rate: 0, count: updates);

        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        await publisher.RunAsync(UpdateSource.GenerateAsync(events.Next, cancellationToken), cancellationToken);
        var published = clock.Elapsed;
        if (publisher.Stats.FailedCount > 0)
        {
            throw new InvalidOperationException($"{publisher.Stats.FailedCount} updates could not be published: {publisher.Stats.LastError}");
        }

        var wrong = new List<string>();
        try
        {
            await follower.WaitForHeadsAsync(heads, TimeSpan.FromMinutes(20));
        }
        catch (OperationCanceledException)
        {
            wrong.Add($"{workload}: not every update reached the client within 20 minutes: {string.Join(", ", follower.Behind(heads).Take(5))}");
        }

        var endToEnd = follower.LastApplied - started;
        var storedHeads = await StoredHeadsAsync(stack.Api, workload + ".", cancellationToken);
        wrong.AddRange(Mismatches(heads, storedHeads));
        var stored = storedHeads.Values.Sum();
        if (follower.Applied != updates)
        {
            wrong.Add($"the client applied {follower.Applied} updates of {updates}");
        }
        // The worker's batches, from its spans (sent every OTEL_BSP_SCHEDULE_DELAY, see BenchCommand).
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var batches = StageBreakdown.MeanBatchSizeOf(collector.Spans, started);
        return new ThroughputResult(workload, channels, updates, published.TotalSeconds, endToEnd.TotalSeconds, stored, follower.Applied, follower.Fetched, batches, wrong);
    }

    /// <summary>Each channel whose stored head is not what was sent to it.</summary>
    public static IEnumerable<string> Mismatches(IReadOnlyDictionary<string, long> sent, IReadOnlyDictionary<string, long> stored) =>
        sent.Where(h => stored.GetValueOrDefault(h.Key) != h.Value).Select(h => $"{h.Key}: {stored.GetValueOrDefault(h.Key)} stored, {h.Value} sent");

    /// <summary>The stored head of every channel whose name starts with <paramref name="prefix"/>, from the channel list.</summary>
    public static async Task<Dictionary<string, long>> StoredHeadsAsync(HttpClient api, string prefix, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, long>();
        string? after = null;
        do
        {
            var page = await UpdatesApi.ListChannelsAsync(api, prefix, after, cancellationToken: cancellationToken);
            foreach (var channel in page.Channels)
            {
                heads[channel.Channel] = channel.Head;
            }

            after = page.Next;
        }
        while (after is not null);
        return heads;
    }
}
