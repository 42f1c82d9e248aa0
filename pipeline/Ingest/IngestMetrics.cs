using System.Diagnostics.Metrics;
using Serverless.Contracts.Api;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Ingest;

/// <summary>
/// What Ingest did, as .NET metrics (meter <c>Serverless.Ingest</c>, docs/telemetry.md) and as totals for /api/health:
/// updates stored, redelivered, dead-lettered and pushed, failed pushes, the size and duration of each batch, and each
/// pushed update's latency from the moment Event Hubs enqueued it.
/// </summary>
public sealed class IngestMetrics
{
    public const string MeterName = "Serverless.Ingest";

    private readonly Counter<long> stored;
    private readonly Counter<long> replayed;
    private readonly Counter<long> deadLettered;
    private readonly Counter<long> pushed;
    private readonly Counter<long> pushFailures;
    private readonly Histogram<int> batchSize;
    private readonly Histogram<double> batchDuration;
    private readonly Histogram<double> latency;
    private readonly TimeProvider clock;
    private long storedTotal, replayedTotal, deadLetteredTotal, pushedTotal, pushFailuresTotal;

    public IngestMetrics(IMeterFactory meters, TimeProvider? clock = null)
    {
        this.clock = clock ?? TimeProvider.System;
        var meter = meters.Create(MeterName);
        stored = meter.CreateCounter<long>("serverless.updates.stored", "{update}", "Updates stored for the first time");
        replayed = meter.CreateCounter<long>("serverless.updates.replayed", "{update}", "Updates delivered again and found stored already");
        deadLettered = meter.CreateCounter<long>("serverless.updates.dead_lettered", "{event}", "Events written to the dead-letter table");
        pushed = meter.CreateCounter<long>("serverless.updates.pushed", "{update}", "Updates pushed to SignalR Service");
        pushFailures = meter.CreateCounter<long>("serverless.push.failures", "{push}", "Channel pushes that failed (clients catch up from storage)");
        batchSize = meter.CreateHistogram<int>("serverless.ingest.batch.size", "{event}", "Events per Ingest invocation",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });
        batchDuration = meter.CreateHistogram<double>("serverless.ingest.batch.duration", "s", "Time to parse, store and push one batch",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
        latency = meter.CreateHistogram<double>("serverless.update.latency", "s", "From enqueued in Event Hubs to pushed",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
    }

    private static readonly double[] Seconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    public void Stored(int count) => Add(stored, ref storedTotal, count);
    public void Replayed(int count) => Add(replayed, ref replayedTotal, count);
    public void DeadLettered(int count) => Add(deadLettered, ref deadLetteredTotal, count);
    public void PushFailed() => Add(pushFailures, ref pushFailuresTotal, 1);

    public void Pushed(IReadOnlyList<SequencedUpdate> updates)
    {
        Add(pushed, ref pushedTotal, updates.Count);
        if (latency.Enabled)
        {
            var now = clock.GetUtcNow();
            foreach (var update in updates)
            {
                if (update.Update.Origin.EnqueuedTime is { } enqueued)
                {
                    latency.Record(Math.Max(0, (now - enqueued).TotalSeconds));
                }
            }
        }
    }

    public void Batch(int events, TimeSpan duration)
    {
        batchSize.Record(events);
        batchDuration.Record(duration.TotalSeconds);
    }

    public IngestTotals Totals => new(
        Interlocked.Read(ref storedTotal),
        Interlocked.Read(ref replayedTotal),
        Interlocked.Read(ref deadLetteredTotal),
        Interlocked.Read(ref pushedTotal),
        Interlocked.Read(ref pushFailuresTotal));

    private static void Add(Counter<long> counter, ref long total, int count)
    {
        if (count > 0)
        {
            counter.Add(count);
            Interlocked.Add(ref total, count);
        }
    }
}
