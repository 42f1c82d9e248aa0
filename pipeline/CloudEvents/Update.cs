using System.Text.Json;

namespace Serverless.Pipeline.CloudEvents;

/// <summary>One valid update, as parsed from a CloudEvent: what is stored and pushed.</summary>
public sealed record Update
{
    public required string Channel { get; init; }
    public required string Id { get; init; }
    public required string Source { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset? Time { get; init; }

    /// <summary>The entity the update is about (extension attribute <c>entitykey</c>), if any.</summary>
    public string? Key { get; init; }

    /// <summary>The entity's version (extension attribute <c>entityversion</c>); a version not newer than the stored one is stale.</summary>
    public long? Version { get; init; }

    public required JsonElement Data { get; init; }

    /// <summary>The event's size in UTF-8 bytes as it arrived (data, attributes and all).</summary>
    public int Size { get; init; }

    /// <summary>A digest of the event's JSON as it arrived: the same event sent again has the same one.</summary>
    public string Digest { get; init; } = "";

    /// <summary>The event's JSON as it arrived, cut to the dead-letter size, in case a filter rejects it later.</summary>
    public string RawBody { get; init; } = "";

    /// <summary>Where the event came from, for dead letters and for telling a redelivery from a duplicate.</summary>
    public required EventOrigin Origin { get; init; }
}

/// <summary>
/// An event's place in Event Hubs (when the host said) and in its body (a body may hold an array of events), and the
/// trace context its publisher sent with it (W3C <c>traceparent</c> form), if any.
/// </summary>
public sealed record EventOrigin(
    string? PartitionId,
    long? SequenceNumber,
    string? Offset,
    DateTimeOffset? EnqueuedTime,
    string? PartitionKey,
    int IndexInBatch,
    int IndexInBody,
    string? TraceParent = null)
{
    /// <summary>A stable id for the event across redeliveries: its place in the partition, else in the batch.</summary>
    public string Locator => SequenceNumber is { } sequence
        ? $"{PartitionId ?? "-"}-{sequence:D19}-{IndexInBody:D4}"
        : $"batch-{IndexInBatch:D6}-{IndexInBody:D4}";
}
