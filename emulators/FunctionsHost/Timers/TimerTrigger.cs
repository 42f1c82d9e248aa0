using System.Text.Json.Nodes;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// A <c>timerTrigger</c> binding with its schedule resolved (<c>%Setting%</c> first, as the Timer extension does):
/// <c>schedule</c>, <c>runOnStartup</c> (default false) and <c>useMonitor</c> (default true, and off for a schedule too
/// frequent to monitor).
/// </summary>
internal sealed record TimerTrigger(string BindingName, TimerSchedule Schedule, bool RunOnStartup, bool UseMonitor)
{
    public static TimerTrigger From(FunctionDescription function, BindingExpressions expressions, DateTime now)
    {
        var binding = function.Trigger!;
        var expression = expressions.Resolve(binding.Property("schedule")) is { Length: > 0 } resolved
            ? resolved
            : throw new BindingException($"{function.Name}'s timerTrigger has no schedule.");
        TimerSchedule schedule;
        try
        {
            schedule = TimerSchedule.Parse(expression);
        }
        catch (FormatException ex)
        {
            throw new BindingException($"{function.Name}: {ex.Message}");
        }

        var useMonitor = Flag(binding, "useMonitor") ?? true;
        return new TimerTrigger(binding.Name, schedule, Flag(binding, "runOnStartup") ?? false, useMonitor && !schedule.TooFrequentToMonitor(now));
    }

    // The worker's generator writes booleans as JSON booleans; function.json may hold them as strings.
    private static bool? Flag(BindingDescription binding, string name) =>
        binding.Properties.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is JsonValue value
            ? value.TryGetValue<bool>(out var flag) ? flag : value.TryGetValue<string>(out var text) && bool.TryParse(text, out var parsed) ? parsed : null
            : null;
}
