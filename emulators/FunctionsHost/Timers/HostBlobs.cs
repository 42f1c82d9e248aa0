namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// Where the Functions host keeps a timer's state in <c>AzureWebJobsStorage</c>: container <c>azure-webjobs-hosts</c>,
/// the schedule status at <c>timers/{hostId}/Host.Functions.{name}/status</c> and the listener's lock at
/// <c>locks/{hostId}/Host.Functions.{name}.Listener</c> (docs/functions-host.md#timer-triggers).
/// </summary>
internal static class HostBlobs
{
    public const string Container = "azure-webjobs-hosts";

    public static string TimerName(string functionName) => $"Host.Functions.{functionName}";

    public static string Status(string hostId, string functionName) => $"timers/{hostId}/{TimerName(functionName)}/status";

    public static string ListenerLock(string hostId, string functionName) => $"locks/{hostId}/{TimerName(functionName)}.Listener";
}
