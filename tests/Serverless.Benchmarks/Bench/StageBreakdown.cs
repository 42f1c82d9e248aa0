using Serverless.Pipeline.Ingest;
using Serverless.Testing.Telemetry;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// Where the time of an update goes, read from the pipeline's own spans (docs/telemetry.md): the publisher's
/// <c>send</c> span starts it; Event Hubs' enqueued time is on the <c>ingest</c> span's link to it; <c>ingest</c>
/// starts in the invocation; <c>store</c> and <c>push</c> time a channel's share of the batch.
/// </summary>
public sealed record StageBreakdown(
    Distribution PublishToEnqueued, Distribution EnqueuedToInvocation, Distribution Store, Distribution Push, Distribution Batch, double MeanBatchSize)
{
    /// <param name="sends">The publisher's send spans: span id → start.</param>
    public static StageBreakdown From(IEnumerable<CollectedSpan> spans, IReadOnlyDictionary<string, DateTimeOffset> sends, DateTimeOffset from)
    {
        var ours = spans.Where(s => s.Scope == IngestTracing.SourceName && s.Start >= from).ToList();
        var ingests = ours.Where(s => s.Name == "ingest").ToList();
        var toEnqueued = new List<TimeSpan>();
        var toInvocation = new List<TimeSpan>();
        foreach (var ingest in ingests)
        {
            foreach (var link in ingest.Links)
            {
                if (link.Attributes.TryGetValue(IngestTracing.EnqueuedTime, out var value) && value is long milliseconds)
                {
                    var enqueued = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                    toInvocation.Add(ingest.Start - enqueued);
                    if (sends.TryGetValue(link.SpanId, out var sent))
                    {
                        toEnqueued.Add(enqueued - sent);
                    }
                }
            }
        }

        return new StageBreakdown(
            Distribution.Of(toEnqueued),
            Distribution.Of(toInvocation),
            Distribution.Of(ours.Where(s => s.Name == "store").Select(s => s.Duration)),
            Distribution.Of(ours.Where(s => s.Name == "push").Select(s => s.Duration)),
            Distribution.Of(ingests.Select(s => s.Duration)),
            MeanBatchSizeOf(ingests, from));
    }

    /// <summary>Events per Ingest invocation, on average, from the <c>ingest</c> spans that began at or after <paramref name="from"/>.</summary>
    public static double MeanBatchSizeOf(IEnumerable<CollectedSpan> spans, DateTimeOffset from)
    {
        var sizes = spans.Where(s => s.Scope == IngestTracing.SourceName && s.Name == "ingest" && s.Start >= from)
            .Select(s => s.Long("messaging.batch.message_count") ?? 0).ToList();
        return sizes.Count == 0 ? 0 : sizes.Average();
    }
}
