using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The rows of a channel in the updates table (where they are: <see cref="ChannelRows"/>). A key row holds the
/// latest update of its entity key, or an earlier one when the head's pending values hold a later one: both are written
/// in the same transactions as the log, so together they are never behind or ahead of it.
/// </summary>
internal static class UpdateRows
{
    public static TableEntity Log(ChannelRows rows, SequencedUpdate entry) => WithUpdate(new TableEntity(rows.Partition, rows.Log(entry.Sequence)), entry);

    /// <summary>The key row of an entity key: its latest update, with the key's version.</summary>
    public static TableEntity Key(ChannelRows rows, PendingValue value) => new(rows.Partition, rows.Key(value.Key))
    {
        ["Seq"] = value.Sequence,
        ["EventId"] = value.EventId,
        ["Source"] = value.Source,
        ["Type"] = value.Type,
        ["Time"] = value.Time,
        ["Key"] = value.Key,
        ["Version"] = value.Version,
        ["Data"] = value.Data,
    };

    public static TableEntity Head(ChannelRows rows, ChannelHead head) => new(rows.Partition, rows.Head)
    {
        ["LastSeq"] = head.LastSequence,
        ["Epoch"] = head.Epoch,
        ["Recent"] = head.Recent.Count > 0 ? head.Recent.ToBytes() : null,
        ["Positions"] = head.Positions.ToString(),
        ["Pending"] = head.Pending.ToBytes(),
        ["HasKeyRows"] = head.HasKeyRows,
        ["FirstSeq"] = head.FirstRetained,
    };

    /// <summary>A channel's row in the index: its name is the row key; its epoch and head stay in its bucket.</summary>
    public static TableEntity IndexEntry(string channel) => new(UpdateTablePartitions.Index, channel);

    public static ChannelHead ReadHead(TableEntity entity) =>
        new(entity.GetInt64("LastSeq") ?? 0, entity.GetString("Epoch") ?? "", entity.ETag.ToString())
        {
            Recent = RecentEvents.FromBytes(entity.GetBinary("Recent")),
            Positions = EventPositions.Parse(entity.GetString("Positions")),
            Pending = PendingValues.FromBytes(entity.GetBinary("Pending")),
            // A head that does not say is taken to have key rows: its keys are then read, as before.
            HasKeyRows = entity.GetBoolean("HasKeyRows") ?? true,
            FirstRetained = entity.GetInt64("FirstSeq") ?? 1,
        };

    public static KeyState ReadKey(TableEntity entity) => new(entity.GetInt64("Seq") ?? 0, entity.GetInt64("Version"));

    /// <summary>A stored update, as the API and the push carry it.</summary>
    public static StoredUpdate ReadUpdate(TableEntity entity) => new(
        entity.GetInt64("Seq") ?? 0,
        entity.GetString("EventId") ?? "",
        entity.GetString("Key"),
        entity.GetString("Type") ?? "",
        entity.GetDateTimeOffset("Time"),
        ParseData(entity.GetBinary("Data")),
        entity.GetInt64("Version"),
        entity.GetString("Source"));

    /// <summary>A pending value of the head, as a key row would give it.</summary>
    public static StoredUpdate ReadValue(PendingValue value) =>
        new(value.Sequence, value.EventId, value.Key, value.Type, value.Time, ParseData(value.Data), value.Version, value.Source);

    /// <summary>Rough size of an entity on the wire (data travels base64-encoded), to keep a transaction under its 4 MiB limit.</summary>
    public static int EstimatedBytes(SequencedUpdate entry) => 1024 + entry.Update.Size * 2;

    private static TableEntity WithUpdate(TableEntity entity, SequencedUpdate entry)
    {
        var update = entry.Update;
        entity["Seq"] = entry.Sequence;
        entity["EventId"] = update.Id;
        entity["Source"] = update.Source;
        entity["Type"] = update.Type;
        entity["Time"] = update.Time;
        entity["Key"] = update.Key;
        entity["Version"] = update.Version;
        // Binary, since a string property holds only 32 K characters and data may be up to 64 KiB (IngestOptions).
        entity["Data"] = Encoding.UTF8.GetBytes(update.Data.GetRawText());
        return entity;
    }

    private static JsonElement ParseData(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return default;
        }

        using var document = JsonDocument.Parse(data);
        return document.RootElement.Clone();
    }
}

/// <summary>An update as read back from storage and sent to clients.</summary>
public sealed record StoredUpdate(long Seq, string Id, string? Key, string Type, DateTimeOffset? Time, JsonElement Data, long? Version = null, string? Source = null);
