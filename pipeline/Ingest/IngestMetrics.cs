using System.Diagnostics.Metrics;
using Serverless.Contracts.Api;

namespace Serverless.Pipeline.Ingest;

/// <summary>Counters of what Ingest did, as .NET metrics (meter <c>Serverless.Ingest</c>) and as totals for /api/health.</summary>
public sealed class IngestMetrics
{
    public const string MeterName = "Serverless.Ingest";

    private readonly Counter<long> stored;
    private readonly Counter<long> replayed;
    private readonly Counter<long> rejected;
    private readonly Counter<long> pushed;
    private readonly Counter<long> pushFailures;
    private long storedTotal, replayedTotal, rejectedTotal, pushedTotal, pushFailuresTotal;

    public IngestMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        stored = meter.CreateCounter<long>("serverless.updates.stored");
        replayed = meter.CreateCounter<long>("serverless.updates.replayed");
        rejected = meter.CreateCounter<long>("serverless.updates.rejected");
        pushed = meter.CreateCounter<long>("serverless.updates.pushed");
        pushFailures = meter.CreateCounter<long>("serverless.push.failures");
    }

    public void Stored(int count) => Add(stored, ref storedTotal, count);
    public void Replayed(int count) => Add(replayed, ref replayedTotal, count);
    public void Rejected(int count) => Add(rejected, ref rejectedTotal, count);
    public void Pushed(int count) => Add(pushed, ref pushedTotal, count);
    public void PushFailed() => Add(pushFailures, ref pushFailuresTotal, 1);

    public IngestTotals Totals => new(
        Interlocked.Read(ref storedTotal),
        Interlocked.Read(ref replayedTotal),
        Interlocked.Read(ref rejectedTotal),
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
