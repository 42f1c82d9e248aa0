using System.Collections.Immutable;
using System.Globalization;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// For each Event Hubs partition, the place of the last event of a channel that is stored (its sequence number and
/// index in the event's body), kept in the channel's head row. A partition is read in order, so an event at or before
/// that place was handled by a batch that committed: a redelivery, known at any distance without a row per event.
/// </summary>
public sealed record EventPositions(ImmutableDictionary<string, EventPosition> ByPartition)
{
    public static EventPositions Empty { get; } = new(ImmutableDictionary<string, EventPosition>.Empty);

    /// <summary>Whether a stored event is at or after the event's place in its partition (false when it has no place).</summary>
    public bool Covers(EventOrigin origin) =>
        EventPosition.Of(origin) is { } position && ByPartition.TryGetValue(origin.PartitionId!, out var last) && position.CompareTo(last) <= 0;

    /// <summary>These positions, moved on to each partition's last of <paramref name="updates"/>.</summary>
    public EventPositions After(IEnumerable<Update> updates)
    {
        var builder = ByPartition.ToBuilder();
        foreach (var update in updates)
        {
            if (EventPosition.Of(update.Origin) is { } position
                && (!builder.TryGetValue(update.Origin.PartitionId!, out var last) || position.CompareTo(last) > 0))
            {
                builder[update.Origin.PartitionId!] = position;
            }
        }

        return new EventPositions(builder.ToImmutable());
    }

    /// <summary>As the head row keeps it: <c>partition=sequence.index</c>, comma-separated.</summary>
    public override string ToString() =>
        string.Join(',', ByPartition.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Sequence}.{p.Value.IndexInBody}"));

    public static EventPositions Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        var builder = ImmutableDictionary.CreateBuilder<string, EventPosition>(StringComparer.Ordinal);
        foreach (var entry in text.Split(','))
        {
            var (partition, place) = (entry[..Math.Max(0, entry.LastIndexOf('='))], entry[(entry.LastIndexOf('=') + 1)..]);
            var dot = place.IndexOf('.');
            if (partition.Length > 0 && dot > 0
                && long.TryParse(place[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && int.TryParse(place[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                builder[partition] = new EventPosition(sequence, index);
            }
        }

        return new EventPositions(builder.ToImmutable());
    }

    public bool Equals(EventPositions? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>An event's place in its Event Hubs partition: its sequence number, then its index in the event's body.</summary>
public readonly record struct EventPosition(long Sequence, int IndexInBody) : IComparable<EventPosition>
{
    public static EventPosition? Of(EventOrigin origin) =>
        origin is { SequenceNumber: { } sequence, PartitionId: not null } ? new EventPosition(sequence, origin.IndexInBody) : null;

    public int CompareTo(EventPosition other) =>
        Sequence != other.Sequence ? Sequence.CompareTo(other.Sequence) : IndexInBody.CompareTo(other.IndexInBody);
}
