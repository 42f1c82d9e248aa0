namespace Serverless.Pipeline.Storage;

/// <summary>What storage holds for a channel, as far as one batch needs to know it.</summary>
public sealed record ChannelState(
    ChannelHead? Head,
    IReadOnlyDictionary<string, KeyState> Keys,
    IReadOnlyDictionary<string, DedupMarker> Markers)
{
    public static ChannelState Empty { get; } = new(null, new Dictionary<string, KeyState>(), new Dictionary<string, DedupMarker>());
}

/// <summary>
/// The head of a channel's log: the last sequence number and the epoch the log belongs to. A new epoch means a new log
/// (the channel was created or reset), so clients start over. <see cref="ETag"/> guards against concurrent writers.
/// </summary>
public sealed record ChannelHead(long LastSequence, string Epoch, string? ETag = null);

/// <summary>The latest stored update of an entity key in a channel.</summary>
public sealed record KeyState(long Sequence, long? Version);

/// <summary>
/// Marks an event (by source and id) as stored under <see cref="Sequence"/>, from the event at <see cref="Locator"/>,
/// with a digest of its content (null on markers written before digests were kept).
/// </summary>
public sealed record DedupMarker(long Sequence, string Locator, string? Digest = null);
