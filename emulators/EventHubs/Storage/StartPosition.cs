namespace Serverless.EventHubs.Storage;

public enum StartKind { Earliest, Latest, Sequence, Offset, EnqueuedTime }

/// <summary>Where a receiver starts: the start of the stream, its end, or after (or at) an offset, sequence number or time.</summary>
public sealed record StartPosition(StartKind Kind, long Value = 0, bool Inclusive = false)
{
    public static StartPosition Earliest { get; } = new(StartKind.Earliest);
    public static StartPosition Latest { get; } = new(StartKind.Latest);
}
