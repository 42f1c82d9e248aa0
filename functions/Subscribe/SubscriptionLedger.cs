using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Settings;

namespace Serverless.Functions.Subscribe;

/// <summary>
/// The channels each SignalR user is subscribed to on this worker, each until its subscription lapses, so that one user
/// holds at most <c>Limits__ChannelsPerUser</c> at once: a script can't join a user to every channel there is, one
/// request's worth at a time (docs/identity.md#limits-per-client). Renewing a channel takes no new place.
/// </summary>
public sealed class SubscriptionLedger(IOptions<LimitsOptions> options, TimeProvider time)
{
    // Users whose subscriptions have all lapsed are forgotten every so many subscriptions, so that anonymous ids don't pile up.
    private const int SweepEvery = 1000;

    private readonly ConcurrentDictionary<string, Dictionary<string, DateTimeOffset>> users = new(StringComparer.Ordinal);
    private readonly int max = options.Value.ChannelsPerUser;
    private long subscriptions;

    /// <summary>Records the channels for the user until <paramref name="expires"/>; when that would hold too many, records nothing and answers how long until a place frees.</summary>
    public TimeSpan? TryHold(string user, IReadOnlyCollection<string> channels, DateTimeOffset expires)
    {
        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref subscriptions) % SweepEvery == 0)
        {
            Sweep(now);
        }

        var held = users.GetOrAdd(user, _ => new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal));
        lock (held)
        {
            Prune(held, now);
            var added = channels.Count(channel => !held.ContainsKey(channel));
            if (held.Count + added > max)
            {
                return held.Count == 0 ? TimeSpan.Zero : held.Values.Min() - now;
            }

            foreach (var channel in channels)
            {
                held[channel] = expires;
            }

            return null;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (user, held) in users)
        {
            lock (held)
            {
                Prune(held, now);
                if (held.Count == 0)
                {
                    users.TryRemove(new KeyValuePair<string, Dictionary<string, DateTimeOffset>>(user, held));
                }
            }
        }
    }

    private static void Prune(Dictionary<string, DateTimeOffset> held, DateTimeOffset now)
    {
        foreach (var lapsed in held.Where(entry => entry.Value <= now).Select(entry => entry.Key).ToList())
        {
            held.Remove(lapsed);
        }
    }
}
