namespace Serverless.EventHubs.Client;

/// <summary>An event to send: its body and application properties.</summary>
public sealed record EventData(ReadOnlyMemory<byte> Body, IReadOnlyDictionary<string, object>? Properties = null);

/// <summary>A received event with the service's annotations.</summary>
public sealed record ReceivedEvent(
    ReadOnlyMemory<byte> Body,
    long SequenceNumber,
    string Offset,
    DateTimeOffset EnqueuedTime,
    string? PartitionKey,
    IReadOnlyDictionary<string, object> Properties,
    long? LastEnqueuedSequenceNumber = null);

/// <summary>Where a consumer starts reading a partition.</summary>
public sealed record EventPosition(string Expression)
{
    public static EventPosition Earliest { get; } = new("amqp.annotation.x-opt-offset > '-1'");
    public static EventPosition Latest { get; } = new("amqp.annotation.x-opt-offset > '@latest'");

    public static EventPosition AfterOffset(string offset) => new($"amqp.annotation.x-opt-offset > '{offset}'");
    public static EventPosition FromSequenceNumber(long sequenceNumber, bool inclusive = true) =>
        new($"amqp.annotation.x-opt-sequence-number {(inclusive ? ">=" : ">")} '{sequenceNumber}'");
}
