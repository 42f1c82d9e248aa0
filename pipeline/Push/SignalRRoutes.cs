namespace Serverless.Pipeline.Push;

/// <summary>SignalR Service data-plane routes, API version 2022-06-01 (docs/signalr-service.md#rest-api), and the client route.</summary>
public static class SignalRRoutes
{
    public const string ApiVersion = "2022-06-01";

    public static string GroupSend(string hub, string group) =>
        $"/api/hubs/{Hub(hub)}/groups/{Uri.EscapeDataString(group)}/:send";

    /// <summary>Adds a user to a group for <paramref name="ttl"/> (whole seconds), or removes it (docs/signalr-service.md#rest-api).</summary>
    public static string UserGroup(string hub, string user, string group, TimeSpan? ttl = null) =>
        $"/api/hubs/{Hub(hub)}/users/{Uri.EscapeDataString(user)}/groups/{Uri.EscapeDataString(group)}"
        + (ttl is { } t ? $"?ttl={(long)t.TotalSeconds}" : "");

    public const string Health = "/api/health";

    /// <summary>The path and query clients connect to; the SDK lowercases the hub (§2.3).</summary>
    public static string Client(string hub) => $"/client/?hub={Hub(hub)}";

    private static string Hub(string hub) => hub.ToLowerInvariant();
}
