using System.Globalization;
using System.Text.RegularExpressions;
using NCrontab;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Retention;

/// <summary>How much of a channel's log is kept: its last <see cref="MaxUpdates"/> updates, no older than <see cref="MaxAge"/> (0: no bound).</summary>
public sealed record RetentionRule(long MaxUpdates, TimeSpan MaxAge)
{
    public bool KeepsEverything => MaxUpdates == 0 && MaxAge == TimeSpan.Zero;
}

/// <summary>
/// Retention (<c>Retention__*</c>, docs/retention.md): the default rule, rules for channel patterns
/// (<c>Retention__Channels</c>: <c>orders.*=1000000/30.00:00:00;prices.*=1000/1.00:00:00</c>, the first pattern that
/// matches applies, a side left empty takes the default), how long dead letters are kept, and the compaction schedule
/// that the timer trigger names as <c>%Retention:Schedule%</c>.
/// </summary>
public sealed class RetentionOptions : ISelfValidatingOptions
{
    public long MaxUpdates { get; set; } = SettingDefaults.RetentionMaxUpdates;
    public TimeSpan MaxAge { get; set; } = TimeSpan.Parse(SettingDefaults.RetentionMaxAge, CultureInfo.InvariantCulture);
    public TimeSpan DeadLetterMaxAge { get; set; } = TimeSpan.Parse(SettingDefaults.RetentionDeadLetterMaxAge, CultureInfo.InvariantCulture);
    public string Channels { get; set; } = SettingDefaults.RetentionChannels;
    public string Schedule { get; set; } = SettingDefaults.RetentionSchedule;

    private IReadOnlyList<(Regex Pattern, RetentionRule Rule)>? rules;

    public RetentionRule Default => new(MaxUpdates, MaxAge);

    /// <summary>The rule of <paramref name="channel"/>: the first pattern of <see cref="Channels"/> that matches it, else the default.</summary>
    public RetentionRule For(string channel)
    {
        rules ??= ParseRules().Rules;
        foreach (var (pattern, rule) in rules)
        {
            if (pattern.IsMatch(channel))
            {
                return rule;
            }
        }

        return Default;
    }

    public static void Bind(RetentionOptions options, IConfiguration configuration)
    {
        options.MaxUpdates = SettingParser.Int(configuration, SettingNames.RetentionMaxUpdates, (int)Math.Min(options.MaxUpdates, int.MaxValue));
        options.MaxAge = SettingParser.Duration(configuration, SettingNames.RetentionMaxAge, options.MaxAge);
        options.DeadLetterMaxAge = SettingParser.Duration(configuration, SettingNames.RetentionDeadLetterMaxAge, options.DeadLetterMaxAge);
        options.Channels = SettingParser.Text(configuration, SettingNames.RetentionChannels) ?? options.Channels;
        options.Schedule = SettingParser.Text(configuration, SettingNames.RetentionSchedule) is { Length: > 0 } schedule ? schedule : options.Schedule;
        options.rules = null;
    }

    public IEnumerable<string> Validate()
    {
        if (MaxUpdates < 0)
        {
            yield return $"{SettingNames.RetentionMaxUpdates} must be 0 (no bound) or more (it is {MaxUpdates}).";
        }

        if (MaxAge < TimeSpan.Zero || DeadLetterMaxAge < TimeSpan.Zero)
        {
            yield return $"{SettingNames.RetentionMaxAge} and {SettingNames.RetentionDeadLetterMaxAge} must be 0 (no bound) or a positive duration (d.hh:mm:ss).";
        }

        foreach (var problem in ParseRules().Problems)
        {
            yield return problem;
        }

        if (!IsSchedule(Schedule))
        {
            yield return $"{SettingNames.RetentionSchedule} '{Schedule}' is neither an NCRONTAB expression (six fields, seconds first) nor a TimeSpan.";
        }
    }

    /// <summary>A schedule the Functions host's timer trigger takes: NCRONTAB with six fields (or five), or a TimeSpan.</summary>
    public static bool IsSchedule(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields != 5 }) is not null
            || (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero);
    }

    private (List<(Regex, RetentionRule)> Rules, List<string> Problems) ParseRules()
    {
        var parsed = new List<(Regex, RetentionRule)>();
        var problems = new List<string>();
        foreach (var entry in Channels.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (pattern, values) = entry.Split('=', 2) is [var p, var v] ? (p.Trim(), v.Trim()) : ("", "");
            var sides = values.Split('/', 2);
            long? count = sides[0].Trim() is { Length: > 0 } c ? long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null : MaxUpdates;
            TimeSpan? age = sides.Length < 2 || sides[1].Trim().Length == 0 ? MaxAge
                : TimeSpan.TryParse(sides[1].Trim(), CultureInfo.InvariantCulture, out var a) && a >= TimeSpan.Zero ? a : null;
            if (pattern.Length == 0 || values.Length == 0 || count is null || age is null)
            {
                problems.Add($"{SettingNames.RetentionChannels}: '{entry}' is not pattern=updates/age (such as orders.*=1000000/30.00:00:00; either side may be empty).");
                continue;
            }

            parsed.Add((Glob.ToRegex(pattern), new RetentionRule(count.Value, age.Value)));
        }

        return (parsed, problems);
    }
}
