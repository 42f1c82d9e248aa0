using Serverless.Contracts.Settings;

namespace Serverless.Local.Topology;

/// <summary>A function app setting that holds the connection string of a local part.</summary>
public sealed record AppConnection(string Setting, LocalPart Part);

/// <summary>
/// Which of the function app's settings name which local part: the one place the app is wired to the parts. The
/// AppHost sets them by reference to the parts' endpoints; the stacks the tests and the bench start set them from
/// their ports.
/// </summary>
public static class AppConnections
{
    /// <param name="eventHubConnectionSettings">The settings the app's Event Hubs triggers name as their <c>connection</c>.</param>
    public static IReadOnlyList<AppConnection> For(IEnumerable<string> eventHubConnectionSettings) =>
    [
        new(SettingNames.Storage, LocalPart.Storage),
        new(SettingNames.SignalRConnection, LocalPart.SignalR),
        .. eventHubConnectionSettings.Append(SettingNames.EventHubConnection).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(setting => new AppConnection(setting, LocalPart.EventHubs)),
    ];

    /// <summary>Sets each connection setting to the connection string of its part.</summary>
    public static void Apply(IDictionary<string, string?> settings, IEnumerable<AppConnection> connections, PartConnectionStrings parts)
    {
        foreach (var connection in connections)
        {
            settings[connection.Setting] = parts.Of(connection.Part);
        }
    }
}

/// <summary>The connection strings of the running parts, as a stack that started them knows them.</summary>
public sealed record PartConnectionStrings(string Storage, string EventHubs, string SignalR)
{
    public string Of(LocalPart part) => part switch
    {
        LocalPart.Storage => Storage,
        LocalPart.EventHubs => EventHubs,
        LocalPart.SignalR => SignalR,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, "not a part the app connects to"),
    };
}
