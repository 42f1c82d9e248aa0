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

        // A pending value is always later than its key's row.
        foreach (var value in head?.Pending.Values ?? [])
        {
            keyStates[value.Key] = new KeyState(value.Sequence, value.Version);
        }

        return new ChannelState(head, keyStates);
    }

    /// <summary>
    /// Appends new updates after <paramref name="head"/> (as read: its ETag, or none for a new channel), in as few
    /// transactions as the limits allow (<see cref="LogTransactions"/>), each moving the head on, and returns the head as
    /// stored, with its new ETag. Throws a 409/412 <see cref="RequestFailedException"/> when another writer got there first.
    /// </summary>
    public async Task<ChannelHead> CommitAsync(string channel, ChannelHead head, IReadOnlyList<SequencedUpdate> stored, int recentEvents, CancellationToken cancellationToken)
    {
        if (head.ETag is null && stored.Count > 0)
        {
            // A new channel (or a new epoch of it) enters the index before its first update is stored, so that the
            // channel list never misses a channel with updates. Writing it again (a retry, a new epoch) changes nothing.
            await tables.Updates.UpsertEntityAsync(UpdateRows.IndexEntry(channel), TableUpdateMode.Replace, cancellationToken);
        }

        foreach (var transaction in LogTransactions.Plan(head, stored, recentEvents))
        {
            var actions = new List<TableTransactionAction>(LogTransactions.MaxOperations);
            actions.AddRange(transaction.Updates.Select(entry => new TableTransactionAction(TableTransactionActionType.Add, UpdateRows.Log(channel, entry))));
            actions.AddRange(transaction.KeyRows.Select(value => new TableTransactionAction(TableTransactionActionType.UpsertReplace, UpdateRows.Key(channel, value))));
            var row = UpdateRows.Head(channel, transaction.Head);
            actions.Add(head.ETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, row)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, new ETag(head.ETag)));

            var response = await tables.Updates.SubmitTransactionAsync(actions, cancellationToken);
            var etag = response.Value[^1].Headers.ETag?.ToString()
                ?? (await tables.Updates.GetEntityAsync<TableEntity>(channel, UpdateRowKeys.Head, cancellationToken: cancellationToken)).Value.ETag.ToString();
            head = transaction.Head with { ETag = etag };
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

    /// <summary>
    /// The latest update of the channel's entity keys after <paramref name="afterKey"/> in key order, at most
    /// <paramref name="limit"/>, from its key rows and its head's pending values, with the head.
    /// </summary>
    public async Task<LatestValues> ReadLatestAsync(string channel, string afterKey, int limit, CancellationToken cancellationToken)
    {
        var head = ReadHeadAsync(channel, cancellationToken);
        var rows = ReadKeyRowsAsync(channel, afterKey, limit, cancellationToken);
        var (headValue, keyRows) = (await head, await rows);

        // Pending values after the cursor join the key rows, replacing older ones. The first `limit` in key order are the
        // page: a pending key past the last key row sorts after all of them, so no key is skipped on the next page.
        var values = keyRows.ToDictionary(v => v.Key!, StringComparer.Ordinal);
        foreach (var pending in headValue?.Pending.Values ?? [])
        {
            if (string.CompareOrdinal(pending.Key, afterKey) > 0 && (!values.TryGetValue(pending.Key, out var row) || row.Seq < pending.Sequence))
            {
                values[pending.Key] = UpdateRows.ReadValue(pending);
            }
        }

        var page = values.Values.OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
        return new LatestValues(headValue, [.. page.Take(limit)], keyRows.Count == limit || page.Count > limit);
    }

    private async Task<List<StoredUpdate>> ReadKeyRowsAsync(string channel, string afterKey, int limit, CancellationToken cancellationToken)
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

/// <summary>A page of a channel's latest values, with the head read beside it; <see cref="More"/> when a next page may hold more.</summary>
public sealed record LatestValues(ChannelHead? Head, IReadOnlyList<StoredUpdate> Values, bool More);
