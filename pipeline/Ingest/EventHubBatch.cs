using System.Collections;
using System.Globalization;
using System.Text.Json;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Ingest;

/// <summary>
/// A batch of the Event Hubs trigger: each body with where it came from, read from the trigger's binding data
/// (<c>PartitionContext</c>, <c>SequenceNumberArray</c>, <c>OffsetArray</c>, <c>EnqueuedTimeUtcArray</c>,
/// <c>PartitionKeyArray</c>, and the trace context in <c>PropertiesArray</c>; docs/functions-host.md). The host sends
/// string and number arrays as typed collections and the rest as JSON text; both are read, and a missing entry leaves
/// that part of the origin unknown.
/// </summary>
public static class EventHubBatch
{
    public static IReadOnlyList<EventBody> Read(IReadOnlyList<byte[]?> events, IReadOnlyDictionary<string, object?> bindingData)
    {
        var partitionId = PartitionIdOf(Find(bindingData, "PartitionContext"));
        var sequenceNumbers = Values(Find(bindingData, "SequenceNumberArray"));
        var offsets = Values(Find(bindingData, "OffsetArray"));
        var enqueuedTimes = Values(Find(bindingData, "EnqueuedTimeUtcArray"));
        var partitionKeys = Values(Find(bindingData, "PartitionKeyArray"));
        var traceParents = EventTraceContext.Read(Find(bindingData, "PropertiesArray"), events.Count);

        var bodies = new EventBody[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var origin = new EventOrigin(
                partitionId,
                long.TryParse(At(sequenceNumbers, i), NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence) ? sequence : null,
                At(offsets, i),
                DateTimeOffset.TryParse(At(enqueuedTimes, i), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null,
                // The host sends an event without a partition key as an empty entry.
                At(partitionKeys, i) is { Length: > 0 } key ? key : null,
                i,
                0,
                traceParents[i]);
            bodies[i] = new EventBody(events[i] ?? [], origin);
        }

        return bodies;
    }

    private static object? Find(IReadOnlyDictionary<string, object?> data, string name)
    {
        if (data.TryGetValue(name, out var value))
        {
            return value;
        }

        return data.FirstOrDefault(pair => pair.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    private static string? PartitionIdOf(object? context)
    {
        if (context is not string json)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals("PartitionId", StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } id
                ? id.Value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The entries of a typed collection, or of a JSON array given as text, each as invariant text.</summary>
    private static IReadOnlyList<string?> Values(object? value)
    {
        switch (value)
        {
            case string json:
                try
                {
                    using var document = JsonDocument.Parse(json);
                    return document.RootElement.ValueKind == JsonValueKind.Array
                        ? [.. document.RootElement.EnumerateArray().Select(e => e.ValueKind switch
                        {
                            JsonValueKind.String => e.GetString(),
                            JsonValueKind.Null => null,
                            _ => e.GetRawText(),
                        })]
                        : [];
                }
                catch (JsonException)
                {
                    return [];
                }

            case IEnumerable items:
                return [.. items.Cast<object?>().Select(item => Convert.ToString(item, CultureInfo.InvariantCulture))];
            default:
                return [];
        }
    }

    private static string? At(IReadOnlyList<string?> values, int index) => index < values.Count ? values[index] : null;
}

/// <summary>One Event Hubs body, its bytes as sent, and where it came from.</summary>
public sealed record EventBody(ReadOnlyMemory<byte> Bytes, EventOrigin Origin);
