using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>
/// The settings Ingest's <c>[EventHubTrigger]</c> names (Ingest/IngestFunction.cs). The Functions host uses them, not this
/// app, but a typo here means no update ever arrives, so the app checks them at start too.
/// </summary>
internal sealed class EventHubTriggerOptions : ISelfValidatingOptions
{
    private const string ConnectionSetting = SettingNames.EventHubConnection;
    private const string HubNameSetting = SettingNames.EventHubName;
    private const string ConsumerGroupSetting = SettingNames.EventHubConsumerGroup;

    public string Connection { get; set; } = "";
    public string HubName { get; set; } = "";
    public string ConsumerGroup { get; set; } = "";

    public static void Bind(EventHubTriggerOptions options, IConfiguration configuration)
    {
        // A connection may also be given as a prefix with __fullyQualifiedNamespace (identity-based).
        options.Connection = configuration[ConnectionSetting]
            ?? configuration[$"{ConnectionSetting}:fullyQualifiedNamespace"] ?? "";
        options.HubName = configuration[HubNameSetting] ?? "";
        options.ConsumerGroup = configuration[ConsumerGroupSetting] ?? "";
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Connection))
        {
            yield return $"{ConnectionSetting} is missing: set it to the Event Hubs namespace connection string (Endpoint=sb://…).";
        }
        else if (Connection.Contains('=') && !Connection.Contains("Endpoint=sb://", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{ConnectionSetting} is not an Event Hubs connection string (expected Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…).";
        }

        if (string.IsNullOrWhiteSpace(HubName))
        {
            yield return $"{HubNameSetting} is missing: set it to the event hub that Ingest reads.";
        }

        if (string.IsNullOrWhiteSpace(ConsumerGroup))
        {
            yield return $"{ConsumerGroupSetting} is missing: set it to Ingest's consumer group ($Default if you have no other).";
        }
    }
}
