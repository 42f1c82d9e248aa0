using System.Globalization;
using System.Text.Json;
using Serverless.Functions.CloudEvents;

namespace Serverless.Functions.Ingest;

/// <summary>
/// The Functions host's invocation payload for Ingest's <c>eventHubTrigger</c> (cardinality many, dataType string):
/// <c>{"Data":{"events": …}, "Metadata":{…}}</c>. The host double-encodes arrays (a JSON string holding JSON,
/// AZURE-CONTRACTS §1.3); plain JSON is accepted too.
/// </summary>
public sealed record InvocationRequest(IReadOnlyList<EventBody> Events, string? PartitionId)
{
    public const string TriggerName = "events";

    public static InvocationRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !TryGetProperty(root, "Data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidInvocationException("the invocation has no Data object");
        }

        if (!TryGetProperty(data, TriggerName, out var trigger))
        {
            throw new InvalidInvocationException($"Data has no '{TriggerName}' (the trigger binding's name)");
        }

        var bodies = Unwrap(trigger);
        if (bodies.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInvocationException($"Data.{TriggerName} is not an array of event bodies");
        }

        var metadata = TryGetProperty(root, "Metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var partitionId = PartitionIdOf(metadata);
        var sequenceNumbers = MetadataArray(metadata, "SequenceNumberArray");
        var offsets = MetadataArray(metadata, "OffsetArray");
        var enqueuedTimes = MetadataArray(metadata, "EnqueuedTimeUtcArray");
        var partitionKeys = MetadataArray(metadata, "PartitionKeyArray");

        var events = new List<EventBody>();
        var index = 0;
        foreach (var body in bodies.EnumerateArray())
        {
            var origin = new EventOrigin(
                partitionId,
                Long(sequenceNumbers, index),
                Text(offsets, index),
                Time(enqueuedTimes, index),
                Text(partitionKeys, index),
                index,
                0);
            // dataType string gives strings; a body that arrived as plain JSON is kept as its JSON text.
            var text = body.ValueKind == JsonValueKind.String ? body.GetString()! : body.GetRawText();
            events.Add(new EventBody(text, origin));
            index++;
        }

        return new InvocationRequest(events, partitionId);
    }

    private static string? PartitionIdOf(JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object || !TryGetProperty(metadata, "PartitionContext", out var context))
        {
            return null;
        }

        context = Unwrap(context);
        return context.ValueKind == JsonValueKind.Object && TryGetProperty(context, "PartitionId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
    }

    private static JsonElement[] MetadataArray(JsonElement metadata, string name)
    {
        if (metadata.ValueKind != JsonValueKind.Object || !TryGetProperty(metadata, name, out var value))
        {
            return [];
        }

        value = Unwrap(value);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [];
    }

    /// <summary>A JSON string whose text is a JSON array or object is decoded once more.</summary>
    private static JsonElement Unwrap(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value;
        }

        var text = value.GetString()!.TrimStart();
        if (text.Length == 0 || (text[0] != '[' && text[0] != '{'))
        {
            return value;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return value;
        }
    }

    private static long? Long(JsonElement[] values, int index) =>
        index < values.Length ? values[index] switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var number) => number,
            { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        } : null;

    private static string? Text(JsonElement[] values, int index) =>
        index < values.Length ? values[index] switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
            _ => null,
        } : null;

    private static DateTimeOffset? Time(JsonElement[] values, int index) =>
        Text(values, index) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    // The host serializes with Newtonsoft, whose readers match names case-insensitively; accept any casing.
    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}

/// <summary>One Event Hubs body and where it came from.</summary>
public sealed record EventBody(string Text, EventOrigin Origin);

public sealed class InvalidInvocationException(string message) : Exception(message);
