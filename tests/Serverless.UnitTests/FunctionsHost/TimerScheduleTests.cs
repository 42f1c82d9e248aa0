using Serverless.FunctionsHost.Timers;

namespace Serverless.UnitTests.FunctionsHost;

/// <summary>The Timer extension's rules for schedules, past-due runs and the host id (docs/functions-host.md#timer-triggers).</summary>
public sealed class TimerScheduleTests
{
    private static readonly DateTime Noon = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Local);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-12-07T12:05:00")]
    [InlineData("*/10 * * * * *", "2026-12-07T12:00:10")]
    [InlineData("30 9 * * *", "2026-12-08T09:30:00")]
    [InlineData("00:00:30", "2026-12-07T12:00:30")]
    [InlineData("1.00:00:00", "2026-12-08T12:00:00")]
    [InlineData("24:00:00", "2026-12-31T12:00:00")]
    public void Cron_with_or_without_seconds_and_timespans_give_the_next_occurrence(string expression, string next)
    {
        Assert.Equal(DateTime.Parse(next, System.Globalization.CultureInfo.InvariantCulture), TimerSchedule.Parse(expression).Next(Noon));
    }

    [Theory]
    [InlineData("every minute")]
    [InlineData("0 0 25 * * * *")]
    [InlineData("-00:01:00")]
    public void What_is_neither_cron_nor_a_timespan_is_refused(string expression)
    {
        Assert.Throws<FormatException>(() => TimerSchedule.Parse(expression));
    }

    [Theory]
    [InlineData("*/10 * * * * *", true)]
    [InlineData("0 * * * * *", false)]
    [InlineData("0 */5 * * * *", false)]
    [InlineData("00:00:30", true)]
    [InlineData("00:01:00", false)]
    public void Schedules_more_frequent_than_a_minute_keep_no_status(string expression, bool tooFrequent)
    {
        Assert.Equal(tooFrequent, TimerSchedule.Parse(expression).TooFrequentToMonitor(Noon));
    }

    [Fact]
    public void Without_a_status_the_next_occurrence_is_recorded_and_nothing_is_past_due()
    {
        var schedule = TimerSchedule.Parse("0 */5 * * * *");

        var check = PastDueCheck.Of(null, Noon.AddMinutes(1), schedule);

        Assert.Equal((false, true), (check.IsPastDue, check.StatusChanged));
        Assert.Equal((ScheduleStatus.Never, Noon.AddMinutes(5), Noon.AddMinutes(1)), (check.Status.Last, check.Status.Next, check.Status.LastUpdated));
    }

    [Fact]
    public void A_due_time_that_passed_while_no_host_ran_is_past_due()
    {
        var schedule = TimerSchedule.Parse("0 */5 * * * *");
        var recorded = new ScheduleStatus(Noon, Noon.AddMinutes(5), Noon);

        var check = PastDueCheck.Of(recorded, Noon.AddMinutes(12), schedule);

        Assert.Equal((true, false), (check.IsPastDue, check.StatusChanged));
        Assert.Equal(recorded, check.Status);
    }

    [Fact]
    public void A_host_that_starts_before_the_due_time_is_not_past_due()
    {
        var schedule = TimerSchedule.Parse("0 */5 * * * *");

        var check = PastDueCheck.Of(new ScheduleStatus(Noon, Noon.AddMinutes(5), Noon), Noon.AddMinutes(3), schedule);

        Assert.False(check.IsPastDue);
    }

    [Fact]
    public void A_changed_schedule_is_recomputed_from_now_and_is_not_past_due()
    {
        var recorded = new ScheduleStatus(Noon, Noon.AddMinutes(5), Noon);

        var check = PastDueCheck.Of(recorded, Noon.AddHours(2).AddMinutes(1), TimerSchedule.Parse("0 0 * * * *"));

        Assert.Equal((false, true), (check.IsPastDue, check.StatusChanged));
        Assert.Equal(Noon.AddHours(3), check.Status.Next);
    }

    [Fact]
    public void A_regular_run_that_fires_early_counts_from_its_due_time()
    {
        var schedule = TimerSchedule.Parse("0 */5 * * * *");
        var current = new ScheduleStatus(Noon, Noon.AddMinutes(5), Noon);

        var early = PastDueCheck.AfterRun(current, Noon.AddMinutes(5).AddMilliseconds(-200), regular: true, schedule);
        var pastDue = PastDueCheck.AfterRun(current, Noon.AddMinutes(7), regular: false, schedule);

        Assert.Equal((Noon.AddMinutes(5), Noon.AddMinutes(10)), (early.Last, early.Next));
        Assert.Equal((Noon.AddMinutes(7), Noon.AddMinutes(10)), (pastDue.Last, pastDue.Next));
    }

    [Fact]
    public void The_host_id_is_the_setting_or_the_machine_and_a_hash_of_the_script_root()
    {
        var derived = HostId.Of(null, "/apps/one/bin");

        Assert.Equal("configured-id", HostId.Of("configured-id", "/apps/one/bin"));
        Assert.Equal(derived, HostId.Of("", "/apps/one/bin"));
        Assert.NotEqual(derived, HostId.Of(null, "/apps/two/bin"));
        Assert.True(derived.Length <= 32);
        Assert.Equal(derived.ToLowerInvariant(), derived);
        Assert.StartsWith(string.Concat(Environment.MachineName.Where(char.IsLetterOrDigit)).ToLowerInvariant()[..Math.Min(10, Environment.MachineName.Length)], derived);
    }
}
