using System.Text.RegularExpressions;

namespace Serverless.SignalRService;

/// <summary>Hub and group name rules of the service (docs/signalr-service.md#hub-names); hubs are case-insensitive.</summary>
internal static partial class HubNames
{
    /// <summary>The hub as the service keys it: lowercased, prefixed by the application when there is one.</summary>
    public static bool TryNormalize(string? hub, string? application, out string normalized)
    {
        normalized = "";
        if (hub is null || !HubPattern().IsMatch(hub))
        {
            return false;
        }

        if (!string.IsNullOrEmpty(application))
        {
            if (!HubPattern().IsMatch(application))
            {
                return false;
            }

            hub = $"{application}_{hub}";
        }

        normalized = hub.ToLowerInvariant();
        return true;
    }

    public static bool IsValidGroup(string? group) => group is { Length: >= 1 and <= 1024 } && !string.IsNullOrWhiteSpace(group);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_`,.\[\]]{0,127}$")]
    private static partial Regex HubPattern();
}
