namespace Serverless.Contracts.Settings;

/// <summary>
/// The function app's settings, named as app settings and <c>local.settings.json</c> name them: <c>__</c> separates a
/// section from its key, which .NET configuration reads as <c>:</c>.
/// </summary>
public static class SettingNames
{
    public const string WorkerRuntime = "FUNCTIONS_WORKER_RUNTIME";

    /// <summary>Table Storage: a connection string, or <c>AzureWebJobsStorage__accountName</c> and friends for an identity.</summary>
    public const string Storage = "AzureWebJobsStorage";
    public const string EventHubConnection = "EventHubConnection";
    public const string EventHubName = "EventHubName";
    public const string EventHubConsumerGroup = "EventHubConsumerGroup";
    public const string SignalRConnection = "AzureSignalRConnectionString";
    public const string SignalRHubName = "SignalR__HubName";
    public const string SignalRPushAttempts = "SignalR__PushAttempts";
    public const string UpdatesTable = "Tables__Updates";
    public const string DeadLettersTable = "Tables__DeadLetters";
    public const string MaxEventBytes = "Ingest__MaxEventBytes";
    public const string DeadLetterBodyBytes = "Ingest__DeadLetterBodyBytes";
    public const string DedupWindow = "Ingest__DedupWindow";
    public const string AllowedChannels = "Ingest__AllowedChannels";
    public const string AllowedTypes = "Ingest__AllowedTypes";

    /// <summary>Who calls the API: bearer tokens from Microsoft Entra ID (an authority) or the local development issuer.</summary>
    public const string AuthAuthority = "Auth__Authority";
    public const string AuthIssuer = "Auth__Issuer";
    public const string AuthAudience = "Auth__Audience";
    public const string AuthSigningKey = "Auth__SigningKey";
    public const string AuthUserIdClaim = "Auth__UserIdClaim";

    /// <summary>Who may follow which channels: nothing unless a rule allows it.</summary>
    public const string PublicChannels = "Access__PublicChannels";
    public const string RoleChannels = "Access__RoleChannels";
    public const string UserChannels = "Access__UserChannels";
    public const string SubscriptionMinutes = "Access__SubscriptionMinutes";

    /// <summary>How much one client may ask of the API.</summary>
    public const string RequestsPerSecond = "Limits__RequestsPerSecond";
    public const string RequestBurst = "Limits__RequestBurst";
    public const string ChannelsPerUser = "Limits__ChannelsPerUser";

    /// <summary>How much history is kept, and when compaction runs (docs/retention.md).</summary>
    public const string RetentionMaxUpdates = "Retention__MaxUpdates";
    public const string RetentionMaxAge = "Retention__MaxAge";
    public const string RetentionDeadLetterMaxAge = "Retention__DeadLetterMaxAge";
    public const string RetentionChannels = "Retention__Channels";
    public const string RetentionSchedule = "Retention__Schedule";

    /// <summary>The key .NET configuration reads a setting under (<c>SignalR__HubName</c> is <c>SignalR:HubName</c>).</summary>
    public static string ConfigurationKey(string setting) => setting.Replace("__", ":", StringComparison.Ordinal);
}
