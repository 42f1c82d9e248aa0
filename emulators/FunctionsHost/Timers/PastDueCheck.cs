namespace Serverless.FunctionsHost.Timers;

/// <summary>What a timer's listener finds when it starts: whether a due time passed while no host ran it, and the status to record.</summary>
internal sealed record PastDueCheck(bool IsPastDue, ScheduleStatus Status, bool StatusChanged)
{
    /// <summary>
    /// The Timer extension's rule (docs/functions-host.md#timer-triggers): no status yet, record the next occurrence;
    /// a status whose <c>Next</c> is not what the schedule gives after its <c>Last</c> (or <c>LastUpdated</c>) means
    /// the schedule changed, so it is recomputed, from now if that time has passed, and is not past due; otherwise the
    /// timer is past due when now is after the recorded <c>Next</c>.
    /// </summary>
    public static PastDueCheck Of(ScheduleStatus? recorded, DateTime now, TimerSchedule schedule)
    {
        if (recorded is null)
        {
            return new PastDueCheck(false, new ScheduleStatus(ScheduleStatus.Never, schedule.Next(now), now), StatusChanged: true);
        }

        var basis = recorded.Last != ScheduleStatus.Never ? recorded.Last
            : recorded.LastUpdated != ScheduleStatus.Never ? recorded.LastUpdated
            : now;
        var expected = schedule.Next(basis);
        var status = recorded;
        var changed = false;
        if (recorded.Next != expected)
        {
            if (now > expected)
            {
                (expected, basis) = (schedule.Next(now), now);
            }

            status = new ScheduleStatus(ScheduleStatus.Never, expected, basis);
            changed = true;
        }

        return new PastDueCheck(now > status.Next, status, changed);
    }

    /// <summary>
    /// The status after a run at <paramref name="invokedAt"/>: a regular run that fired a little before its due time
    /// counts from the due time, so that the next one is not the same time again.
    /// </summary>
    public static ScheduleStatus AfterRun(ScheduleStatus current, DateTime invokedAt, bool regular, TimerSchedule schedule)
    {
        var at = regular && current.Next > invokedAt ? current.Next : invokedAt;
        return new ScheduleStatus(at, schedule.Next(at), at);
    }
}
