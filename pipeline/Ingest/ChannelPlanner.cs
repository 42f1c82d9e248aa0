using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Storage;

namespace Serverless.Pipeline.Ingest;

/// <summary>What to do with one channel's updates of a batch.</summary>
public sealed record ChannelPlan(
    string Channel,
    ChannelHead Head,
    IReadOnlyList<SequencedUpdate> Stored,
    IReadOnlyList<SequencedUpdate> Replayed,
    IReadOnlyList<Rejection> Rejected)
{
    /// <summary>Everything to push, in sequence order: replayed updates keep their original sequence numbers.</summary>
    public IReadOnlyList<SequencedUpdate> ToPush => [.. Replayed.Concat(Stored).OrderBy(u => u.Sequence)];
}

/// <summary>
/// Decides, in Event Hubs order, which updates of one channel are new (and their sequence numbers), which were stored
/// before (a redelivery, or the same event sent again), and which are duplicates (the same source and id with other
/// content) or stale. Pure: storage state in, plan out.
/// </summary>
public static class ChannelPlanner
{
    public static ChannelPlan Plan(string channel, IReadOnlyList<Update> updates, ChannelState state, Func<string> newEpoch)
    {
        var last = state.Head?.LastSequence ?? 0;
        var keys = new Dictionary<string, KeyState>(state.Keys);
        var seen = new Dictionary<string, DedupMarker>(state.Markers);
        var stored = new List<SequencedUpdate>();
        var replayed = new List<SequencedUpdate>();
        var rejected = new List<Rejection>();

        foreach (var update in updates)
        {
            var dedupId = UpdateRowKeys.Marker(update);
            if (seen.TryGetValue(dedupId, out var marker))
            {
                if (IsRedelivery(marker, update.Origin) || marker.Digest == update.Digest)
                {
                    // The same event again: redelivered from the same place, or sent again by a publisher that could not
                    // tell whether its first send went through. Pushed again with its number; clients drop what they have.
                    replayed.Add(new SequencedUpdate(marker.Sequence, update));
                }
                else
                {
                    rejected.Add(Reject(update, RejectionReason.Duplicate,
                        $"source '{update.Source}' and id '{update.Id}' were stored before as sequence {marker.Sequence}"));
                }

                continue;
            }

            if (update.Key is { } key && keys.TryGetValue(key, out var current)
                && update.Version is { } version && current.Version is { } currentVersion && version <= currentVersion)
            {
                rejected.Add(Reject(update, RejectionReason.StaleVersion,
                    $"key '{key}' is at version {currentVersion}; version {version} is not newer"));
                continue;
            }

            var sequence = ++last;
            long? keyVersion = null;
            if (update.Key is { } newKey)
            {
                keyVersion = update.Version ?? (keys.TryGetValue(newKey, out var previous) ? previous.Version : null);
                keys[newKey] = new KeyState(sequence, keyVersion);
            }

            stored.Add(new SequencedUpdate(sequence, update, keyVersion));
            seen[dedupId] = new DedupMarker(sequence, update.Origin.Locator, update.Digest);
        }

        var head = new ChannelHead(last, state.Head?.Epoch ?? newEpoch(), state.Head?.ETag);
        return new ChannelPlan(channel, head, stored, replayed, rejected);
    }

    private static Rejection Reject(Update update, string reason, string detail) =>
        new(reason, detail, update.RawBody, update.Origin, update.Channel, update.Id, update.Source);

    // The same event at the same place in Event Hubs is a redelivery; when either side lacks its place, it can't be
    // told from one, and pushing it again is harmless (clients drop sequence numbers they have).
    private static bool IsRedelivery(DedupMarker marker, EventOrigin origin) =>
        marker.Locator == origin.Locator || origin.SequenceNumber is null || marker.Locator.StartsWith("batch-", StringComparison.Ordinal);
}
