using System.Diagnostics;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Ingest;

/// <summary>
/// Ingest's spans, on activity source <c>Serverless.Ingest</c>: <c>ingest</c> for a batch, linked to the trace context
/// each event came with and marked with when it was enqueued; under it <c>store</c> and <c>push</c> for each channel,
/// with the channel and the sequence numbers they cover (docs/telemetry.md). Without a listener they cost nothing.
/// </summary>
public static class IngestTracing
{
    public const string SourceName = "Serverless.Ingest";

    /// <summary>Link attribute: when the linked event was enqueued, in milliseconds since the Unix epoch (OpenTelemetry's Event Hubs convention).</summary>
    public const string EnqueuedTime = "messaging.eventhubs.message.enqueued_time";
    public const string Channel = "serverless.channel";
    public const string FirstSeq = "serverless.seq.first";
    public const string LastSeq = "serverless.seq.last";
    public const string Updates = "serverless.updates";

    // OpenTelemetry's own default keeps 128 links; a batch holds up to host.json maxEventBatchSize events.
    private const int MaxLinks = 1000;

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartBatch(IReadOnlyList<EventBody> events)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var body in events)
        {
            if (links.Count == MaxLinks)
            {
                break;
            }

            if (body.Origin.TraceParent is { } traceParent && seen.Add(traceParent) && EventTraceContext.Parse(traceParent) is { } context)
            {
                var tags = body.Origin.EnqueuedTime is { } enqueued ? new ActivityTagsCollection { [EnqueuedTime] = enqueued.ToUnixTimeMilliseconds() } : null;
                links.Add(new ActivityLink(context, tags));
            }
        }

        var activity = Source.StartActivity(ActivityKind.Consumer, default, links: links, name: "ingest");
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "eventhubs");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.batch.message_count", events.Count);
            if (events.Count > 0 && events[0].Origin.PartitionId is { } partition)
            {
                activity.SetTag("messaging.destination.partition.id", partition);
            }
        }

        return activity;
    }

    public static Activity? StartStore(string channel, int updates)
    {
        var activity = Source.StartActivity("store");
        activity?.SetTag(Channel, channel);
        activity?.SetTag(Updates, updates);
        return activity;
    }

    /// <summary>What a store committed: the sequence numbers it gave.</summary>
    public static void Stored(Activity? store, IReadOnlyList<SequencedUpdate> stored)
    {
        if (store is not null && stored.Count > 0)
        {
            store.SetTag(FirstSeq, stored[0].Sequence);
            store.SetTag(LastSeq, stored[^1].Sequence);
        }
    }

    public static Activity? StartPush(string channel, IReadOnlyList<SequencedUpdate> updates)
    {
        var activity = Source.StartActivity("push");
        if (activity is not null)
        {
            activity.SetTag(Channel, channel);
            activity.SetTag(Updates, updates.Count);
            if (updates.Count > 0)
            {
                activity.SetTag(FirstSeq, updates[0].Sequence);
                activity.SetTag(LastSeq, updates[^1].Sequence);
            }
        }

        return activity;
    }
}
