namespace Serverless.Pipeline.Push;

/// <summary>SignalR Service data-plane routes, API version 2022-06-01 (docs/signalr-service.md#rest-api), and the client route.</summary>
public static class SignalRRoutes
{
    public const string ApiVersion = "2022-06-01";

    public static string GroupSend(string hub, string group) =>
        $"/api/hubs/{Hub(hub)}/groups/{Uri.EscapeDataString(group)}/:send";

    public static string GroupConnection(string hub, string group, string connectionId) =>
        $"/api/hubs/{Hub(hub)}/groups/{Uri.EscapeDataString(group)}/connections/{Uri.EscapeDataString(connectionId)}";

    public const string Health = "/api/health";

    /// <summary>The path and query clients connect to; the SDK lowercases the hub (§2.3).</summary>
    public static string Client(string hub) => $"/client/?hub={Hub(hub)}";

    private static string Hub(string hub) => hub.ToLowerInvariant();
}
