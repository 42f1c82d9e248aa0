using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Testing;

/// <summary>Builds CloudEvents and Functions host invocation payloads the way sources and the host do.</summary>
public static class TestEvents
{
    /// <summary>A structured-mode CloudEvents 1.0 update.</summary>
    public static JsonObject Update(string channel, string id, object? data = null, string? key = null, long? version = null,
        string type = "com.example.price.changed", string source = "/tests/source")
    {
        var e = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = source,
            ["type"] = type,
            ["subject"] = channel,
            ["time"] = "2026-11-23T10:00:00Z",
            ["datacontenttype"] = "application/json",
            ["data"] = JsonSerializer.SerializeToNode(data ?? new { value = id }),
        };
        if (key is not null)
        {
            e["entitykey"] = key;
        }

        if (version is not null)
        {
            e["entityversion"] = version;
        }

        return e;
    }

    /// <summary>
    /// The invocation the Functions host posts for an eventHubTrigger with cardinality many and dataType string:
    /// arrays double-encoded as JSON strings (AZURE-CONTRACTS §1.3). Bodies get consecutive sequence numbers.
    /// </summary>
    public static string Invocation(IReadOnlyList<string> bodies, string partitionId = "0", long firstSequenceNumber = 0, bool doubleEncoded = true)
    {
        var sequenceNumbers = bodies.Select((_, i) => firstSequenceNumber + i).ToArray();
        var offsets = sequenceNumbers.Select(n => (n * 1000).ToString()).ToArray();
        var times = bodies.Select(_ => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fff")).ToArray();
        var keys = bodies.Select(_ => (string?)null).ToArray();
        JsonNode Encode(object value) => doubleEncoded
            ? JsonValue.Create(JsonSerializer.Serialize(value))
            : JsonSerializer.SerializeToNode(value)!;

        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["events"] = Encode(bodies) },
            ["Metadata"] = new JsonObject
            {
                ["PartitionContext"] = new JsonObject
                {
                    ["FullyQualifiedNamespace"] = "localhost",
                    ["EventHubName"] = "updates",
                    ["ConsumerGroup"] = "ingest",
                    ["PartitionId"] = partitionId,
                },
                ["SequenceNumberArray"] = Encode(sequenceNumbers),
                ["OffsetArray"] = Encode(offsets),
                ["EnqueuedTimeUtcArray"] = Encode(times),
                ["PartitionKeyArray"] = Encode(keys),
                ["PropertiesArray"] = Encode(bodies.Select(_ => new Dictionary<string, object>()).ToArray()),
                ["sys"] = new JsonObject { ["MethodName"] = "Ingest", ["UtcNow"] = DateTime.UtcNow.ToString("O"), ["RandGuid"] = Guid.NewGuid().ToString() },
            },
        };
        return payload.ToJsonString();
    }

    public static string Invocation(IEnumerable<JsonObject> events, string partitionId = "0", long firstSequenceNumber = 0, bool doubleEncoded = true) =>
        Invocation(events.Select(e => e.ToJsonString()).ToList(), partitionId, firstSequenceNumber, doubleEncoded);

    /// <summary>A channel name no other test uses.</summary>
    public static string NewChannel(string prefix = "test") => $"{prefix}.{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];
}
