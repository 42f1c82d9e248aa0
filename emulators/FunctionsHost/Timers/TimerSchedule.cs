using System.Globalization;
using NCrontab;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// A <c>timerTrigger</c>'s schedule as the Timer extension reads it (docs/functions-host.md#timer-triggers): an NCRONTAB
/// expression with six fields (seconds first), or five without seconds, else a TimeSpan between runs. Times are the
/// host's local time, as in Azure, where that is UTC unless <c>WEBSITE_TIME_ZONE</c> says otherwise.
/// </summary>
internal abstract record TimerSchedule(string Expression)
{
    public static TimerSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields.Length != 5 });
        if (cron is not null)
        {
            return new Cron(expression, cron, fields);
        }

        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new Interval(expression, interval);
        }

        throw new FormatException($"The schedule expression '{expression}' was not recognized as a valid cron expression or timespan string.");
    }

    /// <summary>The first occurrence after <paramref name="after"/> (local time).</summary>
    public abstract DateTime Next(DateTime after);

    /// <summary>
    /// A schedule so frequent that the Timer extension keeps no status for it: a TimeSpan under a minute, or a cron
    /// whose minute and higher fields are all <c>*</c> and which fires more than once in the next minute.
    /// </summary>
    public abstract bool TooFrequentToMonitor(DateTime now);

    private sealed record Cron(string Expression, CrontabSchedule Schedule, string[] Fields) : TimerSchedule(Expression)
    {
        public override DateTime Next(DateTime after) => DateTime.SpecifyKind(Schedule.GetNextOccurrence(after), after.Kind);

        public override bool TooFrequentToMonitor(DateTime now) =>
            Fields.Length == 6 && Fields.Skip(1).All(field => field == "*") && Schedule.GetNextOccurrences(now, now.AddMinutes(1)).Take(2).Count() > 1;
    }

    private sealed record Interval(string Expression, TimeSpan Period) : TimerSchedule(Expression)
    {
        public override DateTime Next(DateTime after) => after + Period;

        public override bool TooFrequentToMonitor(DateTime now) => Period < TimeSpan.FromMinutes(1);
    }
}
