using Serverless.Contracts.Local;

namespace Serverless.Contracts.Settings;

/// <summary>
/// The values <c>local.settings.sample.json</c> holds: the app's defaults for the tunable settings (which the deployed
/// stack sets too), and the connections of the local emulators at their default ports.
/// </summary>
public static class SettingDefaults
{
    public const string WorkerRuntime = "dotnet-isolated";
    public const string EventHubName = "updates";
    public const string EventHubConsumerGroup = "ingest";
    public const string SignalRHubName = "updates";
    public const int SignalRPushAttempts = 3;
    public const string UpdatesTable = "updates";
    public const string DeadLettersTable = "deadletters";
    public const int MaxEventBytes = 32 * 1024;
    public const int DeadLetterBodyBytes = 8 * 1024;
    public const int DedupWindow = 1000;

    /// <summary>Every channel and every type (a comma-separated list of names, or prefixes ending in <c>*</c>).</summary>
    public const string AllowEverything = "*";

    /// <summary>
    /// The local development issuer: its name, the API's audience, and its HS256 key. The key is published here, as
    /// Azurite's and the SignalR emulator's are, so it proves nothing outside one machine: the app refuses it in Azure
    /// (docs/identity.md).
    /// </summary>
    public const string LocalIssuer = "serverless-local";
    public const string ApiAudience = "serverless-api";
    public const string LocalSigningKey = "c2VydmVybGVzcy1sb2NhbC1kZXZlbG9wbWVudC1zaWduaW5nLWtleS0yMDI2";

    /// <summary>The claim that names the user: <c>sub</c> for the local issuer; <c>oid</c> for Microsoft Entra ID.</summary>
    public const string UserIdClaim = "sub";

    /// <summary>The sample's channel rules (docs/identity.md#channel-rules).</summary>
    public const string PublicChannels = "prices.*";
    public const string RoleChannels = "orders.reader=orders.*;channels.reader=*";
    public const string UserChannels = "users.{user}.*";

    /// <summary>How long a subscription lasts unless renewed: a permission withdrawn stops the pushes within it.</summary>
    public const int SubscriptionMinutes = 10;

    /// <summary>Requests per second per user (per address for anonymous callers), and the burst above it.</summary>
    public const int RequestsPerSecond = 20;
    public const int RequestBurst = 50;

    /// <summary>How many channels one SignalR user may be subscribed to at once.</summary>
    public const int ChannelsPerUser = 1000;

    /// <summary>
    /// History kept per channel: its last 100,000 updates and a week of them, whichever is less; dead letters for 30
    /// days; compaction every 5 minutes. Per-pattern values: none. Why these: docs/retention.md.
    /// </summary>
    public const int RetentionMaxUpdates = 100_000;
    public const string RetentionMaxAge = "7.00:00:00";
    public const string RetentionDeadLetterMaxAge = "30.00:00:00";
    public const string RetentionChannels = "";
    public const string RetentionSchedule = "0 */5 * * * *";

    /// <summary>Azurite at its default ports, in the form the Azure SDKs and the Functions host read.</summary>
    public const string LocalStorage = "UseDevelopmentStorage=true";

    /// <summary>The local Event Hubs' rule name and key: the ones Microsoft's Event Hubs emulator documents.</summary>
    public const string LocalEventHubsKeyName = "RootManageSharedAccessKey";
    public const string LocalEventHubsKey = "SAS_KEY_VALUE";

    /// <summary>Any 32 bytes or more do for a local SignalR Service's key.</summary>
    public const string LocalSignalRAccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

    public static string LocalEventHubConnection(int port = LocalPorts.EventHubs) =>
        EventHubConnectionTo(port == LocalPorts.EventHubs ? "localhost" : $"localhost:{port}");

    /// <param name="port">The port as text: a number, or a placeholder that a starter fills in later.</param>
    public static string LocalEventHubConnectionAt(string port) => EventHubConnectionTo($"localhost:{port}");

    public static string LocalSignalRConnection(int port = LocalPorts.SignalR) => LocalSignalRConnectionAt($"{port}");

    /// <param name="port">The port as text: a number, or a placeholder that a starter fills in later.</param>
    public static string LocalSignalRConnectionAt(string port) =>
        $"Endpoint=http://localhost;Port={port};AccessKey={LocalSignalRAccessKey};Version=1.0;";

    private static string EventHubConnectionTo(string address) =>
        $"Endpoint=sb://{address};SharedAccessKeyName={LocalEventHubsKeyName};SharedAccessKey={LocalEventHubsKey};UseDevelopmentEmulator=true;";

    /// <summary>The <c>Values</c> of <c>local.settings.sample.json</c>, in its order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> LocalValues { get; } =
    [
        new(SettingNames.WorkerRuntime, WorkerRuntime),
        new(SettingNames.Storage, LocalStorage),
        new(SettingNames.EventHubConnection, LocalEventHubConnection()),
        new(SettingNames.EventHubName, EventHubName),
        new(SettingNames.EventHubConsumerGroup, EventHubConsumerGroup),
        new(SettingNames.SignalRConnection, LocalSignalRConnection()),
        new(SettingNames.SignalRHubName, SignalRHubName),
        new(SettingNames.SignalRPushAttempts, $"{SignalRPushAttempts}"),
        new(SettingNames.UpdatesTable, UpdatesTable),
        new(SettingNames.DeadLettersTable, DeadLettersTable),
        new(SettingNames.MaxEventBytes, $"{MaxEventBytes}"),
        new(SettingNames.DeadLetterBodyBytes, $"{DeadLetterBodyBytes}"),
        new(SettingNames.DedupWindow, $"{DedupWindow}"),
        new(SettingNames.AllowedChannels, AllowEverything),
        new(SettingNames.AllowedTypes, AllowEverything),
        new(SettingNames.AuthIssuer, LocalIssuer),
        new(SettingNames.AuthAudience, ApiAudience),
        new(SettingNames.AuthSigningKey, LocalSigningKey),
        new(SettingNames.AuthUserIdClaim, UserIdClaim),
        new(SettingNames.PublicChannels, PublicChannels),
        new(SettingNames.RoleChannels, RoleChannels),
        new(SettingNames.UserChannels, UserChannels),
        new(SettingNames.SubscriptionMinutes, $"{SubscriptionMinutes}"),
        new(SettingNames.RequestsPerSecond, $"{RequestsPerSecond}"),
        new(SettingNames.RequestBurst, $"{RequestBurst}"),
        new(SettingNames.ChannelsPerUser, $"{ChannelsPerUser}"),
        new(SettingNames.RetentionMaxUpdates, $"{RetentionMaxUpdates}"),
        new(SettingNames.RetentionMaxAge, RetentionMaxAge),
        new(SettingNames.RetentionDeadLetterMaxAge, RetentionDeadLetterMaxAge),
        new(SettingNames.RetentionChannels, RetentionChannels),
        new(SettingNames.RetentionSchedule, RetentionSchedule),
    ];
}
