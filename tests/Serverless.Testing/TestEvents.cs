using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.Ingest;

namespace Serverless.Testing;

/// <summary>Builds CloudEvents the way sources do, and batches the way the Event Hubs trigger hands them to Ingest.</summary>
public static class TestEvents
{
    /// <summary>A structured-mode CloudEvents 1.0 update, at a fixed <c>time</c> unless given one.</summary>
    public static JsonObject Update(string channel, string id, object? data = null, string? key = null, long? version = null,
        string type = "com.example.price.changed", string source = "/tests/source", DateTimeOffset? time = null)
    {
        var e = new JsonObject
        {
            [UpdateAttributes.SpecVersion] = "1.0",
            [UpdateAttributes.Id] = id,
            [UpdateAttributes.Source] = source,
            [UpdateAttributes.Type] = type,
            [UpdateAttributes.Channel] = channel,
            [UpdateAttributes.Time] = time?.ToString("O") ?? "2026-11-23T10:00:00Z",
            [UpdateAttributes.DataContentType] = "application/json",
            [UpdateAttributes.Data] = JsonSerializer.SerializeToNode(data ?? new { value = id }),
        };
        if (key is not null)
        {
            e[UpdateAttributes.EntityKey] = key;
        }

        if (version is not null)
        {
            e[UpdateAttributes.EntityVersion] = version;
        }

        return e;
    }

    /// <summary>
    /// A batch as Ingest receives it from the Event Hubs trigger: the bodies with the binding data the host sends
    /// (typed collections for sequence numbers, offsets and partition keys, JSON text for the rest), at consecutive
    /// sequence numbers from <paramref name="firstSequenceNumber"/> of partition <paramref name="partitionId"/>.
    /// </summary>
    public static IReadOnlyList<EventBody> Batch(IReadOnlyList<string> bodies, string partitionId = "0", long firstSequenceNumber = 0)
    {
        var sequenceNumbers = bodies.Select((_, i) => firstSequenceNumber + i).ToArray();
        var bindingData = new Dictionary<string, object?>
        {
            ["PartitionContext"] = JsonSerializer.Serialize(new { FullyQualifiedNamespace = "localhost", EventHubName = "updates", ConsumerGroup = "ingest", PartitionId = partitionId }),
            ["SequenceNumberArray"] = sequenceNumbers,
            ["OffsetArray"] = sequenceNumbers.Select(n => (n * 1000).ToString()).ToArray(),
            ["EnqueuedTimeUtcArray"] = JsonSerializer.Serialize(bodies.Select(_ => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fff")).ToArray()),
            ["PartitionKeyArray"] = bodies.Select(_ => "").ToArray(),
        };
        return EventHubBatch.Read([.. bodies.Select(Encoding.UTF8.GetBytes)], bindingData);
    }

    public static IReadOnlyList<EventBody> Batch(IEnumerable<JsonObject> events, string partitionId = "0", long firstSequenceNumber = 0) =>
        Batch(events.Select(e => e.ToJsonString()).ToList(), partitionId, firstSequenceNumber);

    /// <summary>A channel name no other test uses.</summary>
    public static string NewChannel(string prefix = "test") => $"{prefix}.{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];
}
