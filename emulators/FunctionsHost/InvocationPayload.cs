using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.EventHubs.Client;

namespace Serverless.FunctionsHost;

/// <summary>
/// The invocation the host posts for an <c>eventHubTrigger</c> with cardinality many and dataType string: arrays
/// serialized into JSON strings (double-encoded), metadata as the Event Hubs extension binds it (AZURE-CONTRACTS §1.3).
/// </summary>
public static class InvocationPayload
{
    public static string Build(EventHubFunction function, string fullyQualifiedNamespace, string partitionId, IReadOnlyList<ReceivedEvent> events, int retryCount, int maxRetryCount)
    {
        string Encoded<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values.ToArray());
        var metadata = new JsonObject
        {
            ["PartitionContext"] = new JsonObject
            {
                ["FullyQualifiedNamespace"] = fullyQualifiedNamespace,
                ["EventHubName"] = function.HubName,
                ["ConsumerGroup"] = function.ConsumerGroup,
                ["PartitionId"] = partitionId,
            },
            ["SequenceNumberArray"] = Encoded(events.Select(e => e.SequenceNumber)),
            ["OffsetArray"] = Encoded(events.Select(e => e.Offset)),
            ["EnqueuedTimeUtcArray"] = Encoded(events.Select(e => e.EnqueuedTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture))),
            ["PartitionKeyArray"] = Encoded(events.Select(e => e.PartitionKey)),
            ["PropertiesArray"] = Encoded(events.Select(e => e.Properties)),
            ["SystemPropertiesArray"] = Encoded(events.Select(e => new Dictionary<string, object?>
            {
                ["SequenceNumber"] = e.SequenceNumber,
                ["Offset"] = e.Offset,
                ["PartitionKey"] = e.PartitionKey,
                ["EnqueuedTimeUtc"] = e.EnqueuedTime.UtcDateTime,
            })),
            ["sys"] = new JsonObject { ["MethodName"] = function.Name, ["UtcNow"] = DateTime.UtcNow.ToString("O"), ["RandGuid"] = Guid.NewGuid().ToString() },
        };
        if (maxRetryCount != 0)
        {
            metadata["RetryContext"] = new JsonObject { ["MaxRetryCount"] = maxRetryCount, ["RetryCount"] = retryCount, ["Exception"] = null };
        }

        return new JsonObject
        {
            ["Data"] = new JsonObject { [function.BindingName] = Encoded(events.Select(e => Encoding.UTF8.GetString(e.Body.Span))) },
            ["Metadata"] = metadata,
        }.ToJsonString();
    }
}
