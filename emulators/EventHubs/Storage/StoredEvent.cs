namespace Serverless.EventHubs.Storage;

/// <summary>An event as the partition log keeps it: its place in the partition and its AMQP-encoded message.</summary>
public sealed record StoredEvent(long SequenceNumber, long Offset, DateTimeOffset EnqueuedTime, ReadOnlyMemory<byte> Message);

/// <summary>Where a partition stands: what <c>$management</c> reports for it.</summary>
public sealed record PartitionState(long BeginSequenceNumber, long LastSequenceNumber, long LastOffset, DateTimeOffset LastEnqueuedTime, bool IsEmpty);
