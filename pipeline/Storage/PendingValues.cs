using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The latest value of each entity key whose key row is behind, kept in the channel's head row. A commit adds its keys'
/// latest updates here instead of rewriting a key row per key, and writes them out as key rows only when there are more
/// than <see cref="MaxKeys"/> or they take more than <see cref="MaxBytes"/>. A channel with a few keys then writes one
/// entity per update and one head per commit, nothing else (docs/storage.md, "Latest values"). Immutable.
/// </summary>
public sealed class PendingValues
{
    public const int MaxKeys = 32;
    public const int MaxBytes = 8 * 1024;

    private readonly ImmutableSortedDictionary<string, PendingValue> values;

    private PendingValues(ImmutableSortedDictionary<string, PendingValue> values, int bytes)
    {
        this.values = values;
        Bytes = bytes;
    }

    public static PendingValues Empty { get; } = new(ImmutableSortedDictionary.Create<string, PendingValue>(StringComparer.Ordinal), 0);

    public int Count => values.Count;

    /// <summary>The room they take in the head row, roughly: their fields and data as stored.</summary>
    public int Bytes { get; }

    /// <summary>In key order.</summary>
    public IEnumerable<PendingValue> Values => values.Values;

    /// <summary>Over <see cref="MaxKeys"/> or <see cref="MaxBytes"/>: to be written out as key rows.</summary>
    public bool IsFull => Count > MaxKeys || Bytes > MaxBytes;

    public bool TryGet(string key, out PendingValue value) => values.TryGetValue(key, out value!);

    /// <summary>These values, with the keyed updates of <paramref name="stored"/> (in sequence order) on top.</summary>
    public PendingValues With(IEnumerable<SequencedUpdate> stored)
    {
        var builder = values.ToBuilder();
        var bytes = Bytes;
        // Only each key's last update counts: the earlier ones of a transaction are never written out or read.
        foreach (var entry in stored.Where(e => e.Update.Key is not null).GroupBy(e => e.Update.Key!).Select(g => g.Last()))
        {
            var value = PendingValue.Of(entry);
            if (builder.TryGetValue(value.Key, out var replaced))
            {
                bytes -= replaced.Bytes;
            }

            builder[value.Key] = value;
            bytes += value.Bytes;
        }

        return new PendingValues(builder.ToImmutable(), bytes);
    }

    public byte[]? ToBytes()
    {
        if (Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream(Bytes);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values.Values)
            {
                writer.WriteStartObject();
                writer.WriteString("k", value.Key);
                writer.WriteNumber("s", value.Sequence);
                writer.WriteString("i", value.EventId);
                writer.WriteString("o", value.Source);
                writer.WriteString("t", value.Type);
                if (value.Time is { } time)
                {
                    writer.WriteString("m", time);
                }

                if (value.Version is { } version)
                {
                    writer.WriteNumber("v", version);
                }

                writer.WritePropertyName("d");
                writer.WriteRawValue(value.Data, skipInputValidation: true);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    public static PendingValues FromBytes(byte[]? bytes)
    {
        if (bytes is not { Length: > 0 })
        {
            return Empty;
        }

        using var document = JsonDocument.Parse(bytes);
        var values = document.RootElement.EnumerateArray().Select(e => new PendingValue(
            e.GetProperty("k").GetString()!,
            e.GetProperty("s").GetInt64(),
            e.GetProperty("i").GetString()!,
            e.GetProperty("o").GetString()!,
            e.GetProperty("t").GetString()!,
            e.TryGetProperty("m", out var time) ? time.GetDateTimeOffset() : null,
            e.TryGetProperty("v", out var version) ? version.GetInt64() : null,
            Encoding.UTF8.GetBytes(e.GetProperty("d").GetRawText())));
        var all = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, values.Select(v => KeyValuePair.Create(v.Key, v)));
        return new PendingValues(all, all.Values.Sum(v => v.Bytes));
    }
}

/// <summary>
/// The latest stored update of an entity key, not yet in its key row, with what that row will hold: <see cref="Version"/> is the key's version
/// (carried over from earlier updates of the key when this one has none), <see cref="Data"/> the update's data as UTF-8 JSON.
/// </summary>
public sealed record PendingValue(string Key, long Sequence, string EventId, string Source, string Type, DateTimeOffset? Time, long? Version, byte[] Data)
{
    public int Bytes => 64 + Key.Length + EventId.Length + Source.Length + Type.Length + Data.Length;

    public static PendingValue Of(SequencedUpdate entry)
    {
        var update = entry.Update;
        return new PendingValue(update.Key!, entry.Sequence, update.Id, update.Source, update.Type, update.Time, entry.KeyVersion,
            Encoding.UTF8.GetBytes(update.Data.GetRawText()));
    }
}
