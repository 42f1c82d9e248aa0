namespace Serverless.Contracts.Api;

/// <summary>The function app's HTTP routes, relative to its base address.</summary>
public static class ApiRoutes
{
    /// <summary>The SignalR client's hub URL: the client posts to <c>api/negotiate</c> and is redirected to the service.</summary>
    public const string Hub = "api";
    public const string Negotiate = "negotiate";
    public const string Subscriptions = "api/subscriptions";
    public const string Channels = "api/channels";
    public const string Health = "api/health";

    public static string Updates(string channel, long after, int limit) =>
        $"api/channels/{Uri.EscapeDataString(channel)}/updates?after={after}&limit={limit}";

    public static string Latest(string channel, string? after = null, int limit = LatestValuesPage.DefaultLimit) =>
        $"api/channels/{Uri.EscapeDataString(channel)}/latest?limit={limit}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");

    public static string ChannelsPage(string prefix, string? after, int limit) =>
        $"{Channels}?prefix={Uri.EscapeDataString(prefix)}&limit={limit}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
}
