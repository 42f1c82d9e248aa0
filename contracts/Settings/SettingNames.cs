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

    /// <summary>The key .NET configuration reads a setting under (<c>SignalR__HubName</c> is <c>SignalR:HubName</c>).</summary>
    public static string ConfigurationKey(string setting) => setting.Replace("__", ":", StringComparison.Ordinal);
}
