using Azure;
using Azure.Data.Tables;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The ordered log of each channel in Table Storage: one partition per channel holding log rows, key rows and the
/// head. Every write to a channel is an entity-group transaction that moves the head under
/// optimistic concurrency, so a sequence number is given out once and the log has no gaps.
/// </summary>
public sealed class UpdateLog(StorageTables tables)
{
    // Entity-group transaction limits: 100 operations and 4 MiB of payload.
    public const int MaxTransactionOperations = 100;
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    // A filter may hold at most 15 comparisons: the partition, the two range bounds, and 12 row keys.
    private const int MaxRowKeysPerQuery = 12;

    /// <summary>The head and the key rows the updates touch, read with range-bounded queries that scan key rows only.</summary>
    public async Task<ChannelState> ReadStateAsync(string channel, IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var rowKeys = updates.Where(u => u.Key is not null).Select(u => UpdateRowKeys.Key(u.Key!)).Distinct().Prepend(UpdateRowKeys.Head);
        var pages = await Task.WhenAll(rowKeys.Chunk(MaxRowKeysPerQuery).Select(keys => QueryHeadAndKeysAsync(channel, keys, cancellationToken)));

        ChannelHead? head = null;
        var keyStates = new Dictionary<string, KeyState>();
        foreach (var entity in pages.SelectMany(page => page))
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

        return new ChannelState(head, keyStates);
    }

    /// <summary>
    /// Appends new updates after <paramref name="head"/> (as read: its ETag, or none for a new channel), in as few
    /// transactions as the limits allow, each moving the head on, and returns the head as stored, with its new ETag.
    /// Throws a 409/412 <see cref="RequestFailedException"/> when another writer got there first.
    /// </summary>
    public async Task<ChannelHead> CommitAsync(string channel, ChannelHead head, IReadOnlyList<SequencedUpdate> stored, int recentEvents, CancellationToken cancellationToken)
    {
        if (head.ETag is null && stored.Count > 0)
        {
            // A new channel (or a new epoch of it) enters the index before its first update is stored, so that the
            // channel list never misses a channel with updates. Writing it again (a retry, a new epoch) changes nothing.
            await tables.Updates.UpsertEntityAsync(UpdateRows.IndexEntry(channel), TableUpdateMode.Replace, cancellationToken);
        }

        foreach (var chunk in Chunks(stored, recentEvents))
        {
            var actions = new List<TableTransactionAction>(MaxTransactionOperations);
            actions.AddRange(chunk.Select(entry => new TableTransactionAction(TableTransactionActionType.Add, UpdateRows.Log(channel, entry))));

            // A transaction may touch an entity once: each key row gets the chunk's last update of its key.
            foreach (var last in chunk.Where(e => e.Update.Key is not null).GroupBy(e => e.Update.Key!).Select(g => g.Last()))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, UpdateRows.Key(channel, last)));
            }

            var next = head.After(chunk, recentEvents);
            var row = UpdateRows.Head(channel, next);
            actions.Add(head.ETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, row)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, new ETag(head.ETag)));

            var response = await tables.Updates.SubmitTransactionAsync(actions, cancellationToken);
            var etag = response.Value[^1].Headers.ETag?.ToString()
                ?? (await tables.Updates.GetEntityAsync<TableEntity>(channel, UpdateRowKeys.Head, cancellationToken: cancellationToken)).Value.ETag.ToString();
            head = next with { ETag = etag };
        }

        return head;
    }

    public async Task<ChannelHead?> ReadHeadAsync(string channel, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entity = await tables.Updates.GetEntityIfExistsAsync<TableEntity>(channel, UpdateRowKeys.Head, cancellationToken: cancellationToken);
        return entity.HasValue ? UpdateRows.ReadHead(entity.Value!) : null;
    }

    /// <summary>
    /// Known channels' names in order, after <paramref name="after"/> and starting with <paramref name="prefix"/>, at
    /// most <paramref name="limit"/>: one range of the channel index.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListChannelNamesAsync(string prefix, string after, int limit, CancellationToken cancellationToken)
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

        return names;
    }

    /// <summary>Each channel's head, read in parallel: one point read per channel.</summary>
    public Task<ChannelHead?[]> ReadHeadsAsync(IEnumerable<string> channels, CancellationToken cancellationToken) =>
        Task.WhenAll(channels.Select(channel => ReadHeadAsync(channel, cancellationToken)));

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

    /// <summary>The latest update of the channel's entity keys after <paramref name="afterKey"/> in key order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<StoredUpdate>> ReadLatestAsync(string channel, string afterKey, int limit, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = afterKey.Length > 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {channel} and RowKey gt {UpdateRowKeys.Key(afterKey)} and RowKey lt {UpdateRowKeys.KeysEnd}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {channel} and RowKey ge {UpdateRowKeys.KeyPrefix} and RowKey lt {UpdateRowKeys.KeysEnd}");
        var values = new List<StoredUpdate>(Math.Min(limit, 1000));
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            values.Add(UpdateRows.ReadUpdate(entity));
            if (values.Count == limit)
            {
                break;
            }
        }

        return values;
    }

    /// <summary>
    /// Splits new updates so that each transaction stays within 100 operations and its byte budget, the head with up to
    /// <paramref name="recentEvents"/> recent events included.
    /// </summary>
    public static List<SequencedUpdate[]> Chunks(IReadOnlyList<SequencedUpdate> stored, int recentEvents)
    {
        var chunks = new List<SequencedUpdate[]>();
        var current = new List<SequencedUpdate>();
        var keys = new HashSet<string>();
        var headBytes = 1024 + recentEvents * RecentEvents.EntryBytes * 2;
        var operations = 1; // the head
        var bytes = headBytes;

        foreach (var entry in stored)
        {
            var needed = 1 + (entry.Update.Key is { } key && !keys.Contains(key) ? 1 : 0);
            var size = UpdateRows.EstimatedBytes(entry) * (entry.Update.Key is null ? 1 : 2); // the log row, and the key row
            if (current.Count > 0 && (operations + needed > MaxTransactionOperations || bytes + size > MaxTransactionBytes))
            {
                chunks.Add([.. current]);
                current.Clear();
                keys.Clear();
                operations = 1;
                bytes = headBytes;
                needed = 1 + (entry.Update.Key is null ? 0 : 1);
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
