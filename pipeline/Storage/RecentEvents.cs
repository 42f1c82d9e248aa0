using System.Security.Cryptography;
using System.Text;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The events behind a channel's last stored updates, kept in its head row: for each, a hash of its source and id
/// and a short digest of its content, in sequence order, the last one being the head's sequence. This is how a resent
/// event (same source and id) is told from a new one without a row per event. Immutable.
/// </summary>
public sealed class RecentEvents
{
    private const int IdBytes = 12;
    private const int DigestBytes = 4;
    public const int EntryBytes = IdBytes + DigestBytes;

    /// <summary>A binary property holds at most 64 KiB.</summary>
    public const int MaxCapacity = 64 * 1024 / EntryBytes;

    private readonly byte[] entries;

    private RecentEvents(byte[] entries) => this.entries = entries;

    public static RecentEvents Empty { get; } = new([]);

    public int Count => entries.Length / EntryBytes;

    public static RecentEvents FromBytes(byte[]? bytes) =>
        bytes is { Length: > 0 } && bytes.Length % EntryBytes == 0 ? new(bytes) : Empty;

    public byte[] ToBytes() => entries;

    /// <summary>The same events, then <paramref name="updates"/> (stored in this order, right after), keeping the last <paramref name="capacity"/>.</summary>
    public RecentEvents Append(IReadOnlyCollection<Update> updates, int capacity)
    {
        var count = Math.Min(capacity, Count + updates.Count);
        var result = new byte[count * EntryBytes];
        var kept = Math.Max(0, count - updates.Count);
        entries.AsSpan(entries.Length - kept * EntryBytes).CopyTo(result);
        var at = kept * EntryBytes;
        foreach (var update in updates.Skip(updates.Count - (count - kept)))
        {
            Write(update, result.AsSpan(at, EntryBytes));
            at += EntryBytes;
        }

        return new RecentEvents(result);
    }

    /// <summary>
    /// Each kept event by the hash of its source and id: its sequence number (the last entry's is
    /// <paramref name="lastSequence"/>) and its content digest.
    /// </summary>
    public Dictionary<EventKey, (long Sequence, uint Digest)> Index(long lastSequence)
    {
        var index = new Dictionary<EventKey, (long, uint)>(Count);
        for (var i = 0; i < Count; i++)
        {
            var entry = entries.AsSpan(i * EntryBytes, EntryBytes);
            index[EventKey.Read(entry)] = (lastSequence - Count + 1 + i, BitConverter.ToUInt32(entry[IdBytes..]));
        }

        return index;
    }

    public static EventKey KeyOf(Update update) => EventKey.Read(SHA256.HashData(Encoding.UTF8.GetBytes($"{update.Source}\n{update.Id}")));

    /// <summary>
    /// Four bytes standing for the event's content, enough to tell a resend from another event under the same id: the
    /// content digest is already a SHA-256 (CloudEventParser), so a plain FNV-1a over its text does.
    /// </summary>
    public static uint DigestOf(Update update)
    {
        var hash = 2166136261u;
        foreach (var c in update.Digest)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static void Write(Update update, Span<byte> entry)
    {
        KeyOf(update).Write(entry);
        BitConverter.TryWriteBytes(entry[IdBytes..], DigestOf(update));
    }

    /// <summary>The first 12 bytes of SHA-256 over an event's source and id.</summary>
    public readonly record struct EventKey(ulong High, uint Low)
    {
        public static EventKey Read(ReadOnlySpan<byte> bytes) => new(BitConverter.ToUInt64(bytes), BitConverter.ToUInt32(bytes[8..]));

        public void Write(Span<byte> bytes)
        {
            BitConverter.TryWriteBytes(bytes, High);
            BitConverter.TryWriteBytes(bytes[8..], Low);
        }
    }
}
