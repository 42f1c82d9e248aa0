using System.Collections.Concurrent;
using System.Collections.Immutable;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// What this worker last read or wrote of each channel: the head with its ETag, and the key rows it knows of, present
/// or absent. A batch whose keys are all known is planned without a read. The head's ETag still guards the commit, so
/// an entry gone stale (another writer, a reset) fails the commit, and the channel is forgotten and read again.
/// </summary>
public sealed class ChannelStateCache
{
    public const int MaxChannels = 10_000;
    public const int MaxKeysPerChannel = 10_000;

    private readonly ConcurrentDictionary<string, Entry> channels = new(StringComparer.Ordinal);

    /// <summary>The channel's state for <paramref name="updates"/>, or null when the head or one of their keys is unknown.</summary>
    public ChannelState? Find(string channel, IReadOnlyList<Update> updates)
    {
        if (!channels.TryGetValue(channel, out var entry))
        {
            return null;
        }

        var keys = new Dictionary<string, KeyState>();
        foreach (var key in updates.Select(u => u.Key).OfType<string>().Distinct())
        {
            if (!entry.Keys.TryGetValue(key, out var state))
            {
                if (entry.Head.Pending.TryGet(key, out var pending))
                {
                    state = new KeyState(pending.Sequence, pending.Version);
                }
                else if (entry.Head.HasKeyRows)
                {
                    return null;
                }
            }

            if (state is not null)
            {
                keys[key] = state;
            }
        }

        return new ChannelState(entry.Head, keys);
    }

    /// <summary>Keeps what a read found: the head and the keys of <paramref name="updates"/> (those not found are absent).</summary>
    public void Read(string channel, ChannelState state, IReadOnlyList<Update> updates)
    {
        if (state.Head?.ETag is null)
        {
            return;
        }

        var found = updates.Select(u => u.Key).OfType<string>().Distinct()
            .Select(key => KeyValuePair.Create(key, state.Keys.GetValueOrDefault(key)));
        channels.AddOrUpdate(channel,
            _ => new Entry(state.Head, ImmutableDictionary<string, KeyState?>.Empty.SetItems(found)),
            (_, entry) => new Entry(state.Head, entry.Head.ETag == state.Head.ETag ? entry.Keys.SetItems(found) : ImmutableDictionary<string, KeyState?>.Empty.SetItems(found)));
        Bound(channel);
    }

    /// <summary>Keeps what a commit wrote: the new head with its ETag, and each key's last update.</summary>
    public void Committed(string channel, ChannelHead head, IReadOnlyList<SequencedUpdate> stored)
    {
        if (head.ETag is null)
        {
            return;
        }

        var written = stored.Where(e => e.Update.Key is not null).GroupBy(e => e.Update.Key!)
            .Select(g => KeyValuePair.Create(g.Key, (KeyState?)new KeyState(g.Last().Sequence, g.Last().KeyVersion)));
        channels.AddOrUpdate(channel,
            _ => new Entry(head, ImmutableDictionary<string, KeyState?>.Empty.SetItems(written)),
            (_, entry) => new Entry(head, entry.Keys.SetItems(written)));
        Bound(channel);
    }

    public void Forget(string channel) => channels.TryRemove(channel, out _);

    // Bounded memory: a channel with too many keys keeps its head only; too many channels start over.
    private void Bound(string channel)
    {
        if (channels.TryGetValue(channel, out var entry) && entry.Keys.Count > MaxKeysPerChannel)
        {
            channels[channel] = entry with { Keys = ImmutableDictionary<string, KeyState?>.Empty };
        }

        if (channels.Count > MaxChannels)
        {
            channels.Clear();
        }
    }

    private sealed record Entry(ChannelHead Head, ImmutableDictionary<string, KeyState?> Keys);
}
