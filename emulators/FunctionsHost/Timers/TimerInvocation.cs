using System.Globalization;
using System.Text.Json.Nodes;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// What a <c>timerTrigger</c> invocation carries, as the Functions host sends it: the trigger's <c>TimerInfo</c> as JSON
/// (<c>Schedule</c>, <c>ScheduleStatus</c>, null without a monitor, and <c>IsPastDue</c>) and the trigger metadata
/// <c>TimerTrigger</c>, the invocation's local time as text (docs/functions-host.md#timer-triggers).
/// </summary>
internal static class TimerInvocation
{
    public static void Fill(InvocationRequest request, string triggerName, ScheduleStatus? status, bool isPastDue, DateTime invokedAt)
    {
        var timerInfo = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = status?.ToJson(),
            ["IsPastDue"] = isPastDue,
        };
        request.InputData.Add(new ParameterBinding { Name = triggerName, Data = new TypedData { Json = timerInfo.ToJsonString() } });
        request.TriggerMetadata.Add("TimerTrigger", new TypedData { String = invokedAt.ToString(CultureInfo.CurrentCulture) });
    }
}
