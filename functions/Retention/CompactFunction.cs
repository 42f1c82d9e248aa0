using Microsoft.Azure.Functions.Worker;
using Serverless.Pipeline.Retention;

namespace Serverless.Functions.Retention;

/// <summary>
/// Compact: trims every channel's log to its retention and deletes old dead letters, on <c>Retention__Schedule</c>
/// (docs/retention.md). The Functions host runs it on one instance at a time; a run that fails is not retried, since
/// the next one does the same work.
/// </summary>
public sealed partial class CompactFunction(Compactor compactor, ILogger<CompactFunction> logger)
{
    [Function("Compact")]
    public async Task RunAsync([TimerTrigger("%Retention:Schedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            LogPastDue(timer.ScheduleStatus?.Next);
        }

        await compactor.RunAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 41, EventName = "CompactionPastDue", Level = LogLevel.Information,
        Message = "Compaction was due at {Due:o} while no instance ran; running now")]
    private partial void LogPastDue(DateTime? due);
}
