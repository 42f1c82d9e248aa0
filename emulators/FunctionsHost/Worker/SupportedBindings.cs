namespace Serverless.FunctionsHost.Worker;

/// <summary>The binding types this host implements; a function with any other is not loaded.</summary>
internal static class SupportedBindings
{
    public const string HttpTrigger = "httpTrigger";
    public const string Http = "http";
    public const string EventHubTrigger = "eventHubTrigger";
    public const string SignalRConnectionInfo = "signalRConnectionInfo";
    public const string TimerTrigger = "timerTrigger";

    private static readonly HashSet<string> Types = new(StringComparer.OrdinalIgnoreCase) { HttpTrigger, Http, EventHubTrigger, SignalRConnectionInfo, TimerTrigger };

    public static bool IsSupported(string type) => Types.Contains(type);
}
