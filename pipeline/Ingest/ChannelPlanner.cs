using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Storage;

namespace Serverless.Pipeline.Ingest;

/// <summary>What to do with one channel's updates of a batch.</summary>
/// <param name="Base">The head the new updates follow: their epoch, and the ETag the commit replaces (none for a new channel).</param>
/// <param name="Skipped">Redelivered events handled longer ago than the head's recent events reach: nothing to do.</param>
internal sealed record ChannelPlan(
    string Channel,
    ChannelHead Base,
    IReadOnlyList<SequencedUpdate> Stored,
    IReadOnlyList<SequencedUpdate> Replayed,
    IReadOnlyList<Rejection> Rejected,
    IReadOnlyList<Update> Skipped)
{
    /// <summary>Everything to push, in sequence order: replayed updates keep their original sequence numbers.</summary>
    public IReadOnlyList<SequencedUpdate> ToPush => [.. Replayed.Concat(Stored).OrderBy(u => u.Sequence)];
}

/// <summary>
/// Decides, in Event Hubs order, which updates of one channel are new (and their sequence numbers), which were stored
/// before (a redelivery, or the same event sent again), and which are duplicates (the same source and id with other
/// content) or stale. What was stored before is known from the head alone: its recent events by source and id, and
/// its place in each Event Hubs partition. Pure: storage state in, plan out.
/// </summary>
internal static class ChannelPlanner
{
    public static ChannelPlan Plan(string channel, IReadOnlyList<Update> updates, ChannelState state, Func<string> newEpoch)
    {
        var head = state.Head ?? new ChannelHead(0, newEpoch());
        var last = head.LastSequence;
        var keys = new Dictionary<string, KeyState>(state.Keys);
        var seen = head.Recent.Index(head.LastSequence);
        var stored = new List<SequencedUpdate>();
        var replayed = new List<SequencedUpdate>();
        var rejected = new List<Rejection>();
        var skipped = new List<Update>();

        foreach (var update in updates)
        {
            var eventKey = RecentEvents.KeyOf(update);
            var digest = RecentEvents.DigestOf(update);
            if (seen.TryGetValue(eventKey, out var earlier))
            {
                if (earlier.Digest == digest)
                {
                    // The same event again: redelivered, or sent again by a publisher that could not tell whether its
                    // first send went through. Pushed again with its number; clients drop what they have.
                    replayed.Add(new SequencedUpdate(earlier.Sequence, update));
                }
                else
                {
                    rejected.Add(Reject(update, RejectionReason.Duplicate,
                        $"source '{update.Source}' and id '{update.Id}' were stored before as sequence {earlier.Sequence}"));
                }

                continue;
            }

            if (head.Positions.Covers(update.Origin))
            {
                // Redelivered from before the last stored event of its partition, and older than the recent events:
                // stored or dead-lettered by a batch that committed. Clients that missed it catch up from storage.
                skipped.Add(update);
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
            seen[eventKey] = (sequence, digest);
        }

        return new ChannelPlan(channel, head, stored, replayed, rejected, skipped);
    }

    private static Rejection Reject(Update update, string reason, string detail) =>
        new(reason, detail, update.RawBody, update.Origin, update.Channel, update.Id, update.Source);
}
