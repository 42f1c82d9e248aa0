using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>What storage holds for a channel, as far as one batch needs to know it.</summary>
public sealed record ChannelState(ChannelHead? Head, IReadOnlyDictionary<string, KeyState> Keys)
{
    public static ChannelState Empty { get; } = new(null, new Dictionary<string, KeyState>());
}

/// <summary>
/// The head of a channel's log: the last sequence number and the epoch the log belongs to. A new epoch means a new log
/// (the channel was created or reset), so clients start over. <see cref="ETag"/> guards against concurrent writers.
/// The head also knows which events were stored: the last few by source and id (<see cref="Recent"/>), and the place
/// of the last one in each Event Hubs partition (<see cref="Positions"/>); and the latest value of the keys whose key
/// rows are behind (<see cref="Pending"/>).
/// </summary>
public sealed record ChannelHead(long LastSequence, string Epoch, string? ETag = null)
{
    public RecentEvents Recent { get; init; } = RecentEvents.Empty;

    public EventPositions Positions { get; init; } = EventPositions.Empty;

    public PendingValues Pending { get; init; } = PendingValues.Empty;

    /// <summary>
    /// Whether the channel has key rows (in this epoch): false until a transaction first writes pending values out. While
    /// false, a key that is not pending has never been stored, so knowing the head is knowing every key.
    /// </summary>
    public bool HasKeyRows { get; init; }

    /// <summary>
    /// The first sequence number the log still holds: 1 until compaction trims the log (docs/retention.md). Updates
    /// before it are gone, though the latest value of every key stays.
    /// </summary>
    public long FirstRetained { get; init; } = 1;

    /// <summary>
    /// The head once <paramref name="stored"/> (the next updates, in sequence order) are stored, its pending values as
    /// they were (<see cref="LogTransactions"/> decides those); the ETag stays the one to replace.
    /// </summary>
    public ChannelHead After(IReadOnlyList<SequencedUpdate> stored, int recentCapacity)
    {
        if (stored.Count == 0)
        {
            return this;
        }

        var updates = stored.Select(s => s.Update).ToList();
        return this with
        {
            LastSequence = stored[^1].Sequence,
            Recent = Recent.Append(updates, recentCapacity),
            Positions = Positions.After(updates),
        };
    }
}

/// <summary>The latest stored update of an entity key in a channel.</summary>
public sealed record KeyState(long Sequence, long? Version);
