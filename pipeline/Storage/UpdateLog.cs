using Azure;
using Azure.Data.Tables;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The ordered log of each channel in Table Storage: one partition per channel holding log rows, dedup markers,
/// key rows and the head. Every write to a channel is an entity-group transaction that moves the head under
/// optimistic concurrency, so a sequence number is given out once and the log has no gaps.
/// </summary>
public sealed class UpdateLog(StorageTables tables)
{
    // Entity-group transaction limits: 100 operations and 4 MiB of payload.
    public const int MaxTransactionOperations = 100;
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    // A filter may hold at most 15 comparisons: the partition, the two range bounds, and 12 row keys.
    private const int MaxRowKeysPerQuery = 12;

    /// <summary>
    /// The head and the key rows the updates touch, read with range-bounded queries that scan key rows only; with
    /// <paramref name="withMarkers"/>, the updates' dedup markers too, by point reads (a marker range could be long).
    /// </summary>
    public async Task<ChannelState> ReadStateAsync(string channel, IReadOnlyList<Update> updates, bool withMarkers, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var rowKeys = updates.Where(u => u.Key is not null).Select(u => UpdateRowKeys.Key(u.Key!)).Distinct().Prepend(UpdateRowKeys.Head);
        var rows = Task.WhenAll(rowKeys.Chunk(MaxRowKeysPerQuery).Select(keys => QueryHeadAndKeysAsync(channel, keys, cancellationToken)));
        var markers = withMarkers
            ? Task.WhenAll(updates.Select(UpdateRowKeys.Marker).Distinct().Select(id => ReadMarkerAsync(channel, id, cancellationToken)))
            : Task.FromResult(Array.Empty<(string, DedupMarker?)>());

        ChannelHead? head = null;
        var keyStates = new Dictionary<string, KeyState>();
        foreach (var entity in (await rows).SelectMany(page => page))
        {
            if (entity.RowKey == UpdateRowKeys.Head)
            {
                head = UpdateRows.ReadHead(entity);
            }
            else
            {
                keyStates[entity.RowKey[UpdateRowKeys.KeyPrefix.Length..]] = UpdateRows.ReadKey(entity);
            }
        }

        var found = (await markers).Where(m => m.Item2 is not null).ToDictionary(m => m.Item1, m => m.Item2!);
        return new ChannelState(head, keyStates, found);
    }

    /// <summary>
    /// Appends new updates under the new head, in as few transactions as the limits allow (the head's ETag is the one
    /// read, null for a new channel), and returns the head as stored, with its new ETag. Throws a 409/412
    /// <see cref="RequestFailedException"/> when another writer got there first.
    /// </summary>
    public async Task<ChannelHead> CommitAsync(string channel, ChannelHead newHead, IReadOnlyList<SequencedUpdate> stored, CancellationToken cancellationToken)
    {
        var headETag = newHead.ETag;
        if (headETag is null)
        {
            // A new channel (or a new epoch of it) enters the index before its first update is stored, so that the
            // channel list never misses a channel with updates. Writing it again (a retry, a new epoch) changes nothing.
            await tables.Updates.UpsertEntityAsync(UpdateRows.IndexEntry(channel), TableUpdateMode.Replace, cancellationToken);
        }

        foreach (var chunk in Chunks(stored))
        {
            var actions = new List<TableTransactionAction>(MaxTransactionOperations);
            foreach (var entry in chunk)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, UpdateRows.Log(channel, entry)));
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, UpdateRows.Marker(channel, entry)));
            }

            // A transaction may touch an entity once: each key row gets the chunk's last update of its key.
            foreach (var last in chunk.Where(e => e.Update.Key is not null).GroupBy(e => e.Update.Key!).Select(g => g.Last()))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, UpdateRows.Key(channel, last)));
            }

            var head = UpdateRows.Head(channel, newHead with { LastSequence = chunk[^1].Sequence });
            actions.Add(headETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, head)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, head, new ETag(headETag)));

            var response = await tables.Updates.SubmitTransactionAsync(actions, cancellationToken);
            headETag = response.Value[^1].Headers.ETag?.ToString()
                ?? (await tables.Updates.GetEntityAsync<TableEntity>(channel, UpdateRowKeys.Head, cancellationToken: cancellationToken)).Value.ETag.ToString();
        }

        return newHead with { ETag = headETag };
    }

    public async Task<ChannelHead?> ReadHeadAsync(string channel, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entity = await tables.Updates.GetEntityIfExistsAsync<TableEntity>(channel, UpdateRowKeys.Head, cancellationToken: cancellationToken);
        return entity.HasValue ? UpdateRows.ReadHead(entity.Value!) : null;
    }

    /// <summary>
    /// Known channels in name order, after <paramref name="after"/> and starting with <paramref name="prefix"/>, at most
    /// <paramref name="limit"/>, each with its head (read in parallel: one point read per channel).
    /// </summary>
    public async Task<IReadOnlyList<(string Channel, ChannelHead? Head)>> ListChannelsAsync(string prefix, string after, int limit, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var end = UpdateRowKeys.PrefixEnd(prefix);
        var filter = after.Length > 0 && string.CompareOrdinal(after, prefix) >= 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {UpdateRowKeys.IndexPartition} and RowKey gt {after} and RowKey lt {end}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {UpdateRowKeys.IndexPartition} and RowKey ge {prefix} and RowKey lt {end}");
        var names = new List<string>(limit);
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, maxPerPage: limit, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            names.Add(entity.RowKey);
            if (names.Count == limit)
            {
                break;
            }
        }

        var heads = await Task.WhenAll(names.Select(name => ReadHeadAsync(name, cancellationToken)));
        return names.Select((name, i) => (name, heads[i])).ToArray();
    }

    /// <summary>Stored updates with sequence numbers after <paramref name="after"/>, at most <paramref name="limit"/>, in order.</summary>
    public async Task<IReadOnlyList<StoredUpdate>> ReadAsync(string channel, long after, int limit, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {channel} and RowKey gt {UpdateRowKeys.Log(after)} and RowKey le {UpdateRowKeys.Log(after + limit)}");
        var updates = new List<StoredUpdate>(Math.Min(limit, 1000));
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            updates.Add(UpdateRows.ReadUpdate(entity));
        }

        return updates;
    }

    /// <summary>The latest update of every entity key of the channel.</summary>
    public async Task<IReadOnlyList<StoredUpdate>> ReadLatestAsync(string channel, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {channel} and RowKey ge {UpdateRowKeys.KeyPrefix} and RowKey lt {UpdateRowKeys.KeysEnd}");
        var values = new List<StoredUpdate>();
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            values.Add(UpdateRows.ReadUpdate(entity));
        }

        return values;
    }

    private async Task<(string, DedupMarker?)> ReadMarkerAsync(string channel, string rowKey, CancellationToken cancellationToken)
    {
        var entity = await tables.Updates.GetEntityIfExistsAsync<TableEntity>(channel, rowKey, cancellationToken: cancellationToken);
        return (rowKey, entity.HasValue ? UpdateRows.ReadMarker(entity.Value!) : null);
    }

    /// <summary>Splits new updates so that each transaction stays within 100 operations and its byte budget.</summary>
    public static List<SequencedUpdate[]> Chunks(IReadOnlyList<SequencedUpdate> stored)
    {
        var chunks = new List<SequencedUpdate[]>();
        var current = new List<SequencedUpdate>();
        var keys = new HashSet<string>();
        var operations = 1; // the head
        var bytes = 0;

        foreach (var entry in stored)
        {
            var needed = 2 + (entry.Update.Key is { } key && !keys.Contains(key) ? 1 : 0);
            var size = UpdateRows.EstimatedBytes(entry) * (entry.Update.Key is null ? 1 : 2); // the log row, and the key row
            if (current.Count > 0 && (operations + needed > MaxTransactionOperations || bytes + size > MaxTransactionBytes))
            {
                chunks.Add([.. current]);
                current.Clear();
                keys.Clear();
                operations = 1;
                bytes = 0;
                needed = 2 + (entry.Update.Key is null ? 0 : 1);
            }

            current.Add(entry);
            if (entry.Update.Key is { } k)
            {
                keys.Add(k);
            }

            operations += needed;
            bytes += size;
        }

        if (current.Count > 0)
        {
            chunks.Add([.. current]);
        }

        return chunks;
    }

    private async Task<List<TableEntity>> QueryHeadAndKeysAsync(string channel, IEnumerable<string> rowKeys, CancellationToken cancellationToken)
    {
        // Each comparison is built by CreateQueryFilter, which quotes and escapes the value: input never shapes the query.
        var rows = string.Join(" or ", rowKeys.Select(rowKey => TableClient.CreateQueryFilter($"RowKey eq {rowKey}")));
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {channel} and RowKey ge {UpdateRowKeys.Head} and RowKey lt {UpdateRowKeys.KeysEnd}");
        var filter = $"{range} and ({rows})";
        var entities = new List<TableEntity>();
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entities.Add(entity);
        }

        return entities;
    }
}
