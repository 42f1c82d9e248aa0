using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The ordered log of each channel in Table Storage: log rows, key rows and the head, one range of the channel's bucket
/// (<see cref="ChannelRows"/>). Every write to a channel is part of an entity-group transaction that moves its head under
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
        var rows = new ChannelRows(channel);
        var rowKeys = updates.Where(u => u.Key is not null).Select(u => rows.Key(u.Key!)).Distinct().Prepend(rows.Head);
        var pages = await Task.WhenAll(rowKeys.Chunk(MaxRowKeysPerQuery).Select(keys => QueryHeadAndKeysAsync(rows, keys, cancellationToken)));

        ChannelHead? head = null;
        var keyStates = new Dictionary<string, KeyState>();
        foreach (var entity in pages.SelectMany(page => page))
        {
            if (entity.RowKey == rows.Head)
            {
                head = UpdateRows.ReadHead(entity);
            }
            else
            {
                keyStates[rows.KeyOf(entity.RowKey)] = UpdateRows.ReadKey(entity);
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
    /// Appends each channel's new updates after its head as read (its ETag, or none for a new channel), a bucket's
    /// channels together (<see cref="BucketTransactions"/>), and returns the heads as stored, with their new ETags. A
    /// channel whose transaction met another writer (409/412) or found its head gone (404, a reset) is in
    /// <see cref="BatchCommit.Conflicted"/>: nothing of that transaction was written, and what its earlier rounds wrote
    /// stays; the caller reads it again. Any other failure throws, with some transactions perhaps written.
    /// </summary>
    public async Task<BatchCommit> CommitAsync(IReadOnlyList<ChannelCommit> commits, int recentEvents, int maxParallel, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await AddToIndexAsync(commits.Where(c => c.Head.ETag is null && c.Stored.Count > 0).Select(c => c.Channel), cancellationToken);

        var heads = new ConcurrentDictionary<string, ChannelHead>(commits.Select(c => KeyValuePair.Create(c.Channel, c.Head)), StringComparer.Ordinal);
        var conflicted = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var buckets = BucketTransactions.Plan(commits.Select(c => (new ChannelRows(c.Channel), (IReadOnlyList<LogTransaction>)LogTransactions.Plan(c.Head, c.Stored, recentEvents))));
        using var inFlight = new SemaphoreSlim(maxParallel);
        await Task.WhenAll(buckets.Select(async bucket =>
        {
            foreach (var round in bucket.Rounds)
            {
                await Task.WhenAll(round.Select(async transaction =>
                {
                    // A channel whose earlier round failed goes no further in this batch.
                    var steps = transaction.Steps.Where(s => !conflicted.ContainsKey(s.Rows.Channel)).ToList();
                    if (steps.Count == 0)
                    {
                        return;
                    }

                    await inFlight.WaitAsync(cancellationToken);
                    try
                    {
                        foreach (var (channel, head) in await SubmitAsync(transaction.Partition, steps, step => heads[step.Rows.Channel].ETag, cancellationToken))
                        {
                            heads[channel] = head;
                        }
                    }
                    catch (RequestFailedException ex) when (StorageTables.IsConflict(ex) || ex.Status == 404)
                    {
                        foreach (var step in steps)
                        {
                            conflicted[step.Rows.Channel] = ex.Status;
                        }
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }));
            }
        }));

        return new BatchCommit(heads.Where(h => !conflicted.ContainsKey(h.Key)).ToDictionary(StringComparer.Ordinal), conflicted.ToDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Appends one channel's new updates after <paramref name="head"/> (as read), in as few transactions as the limits
    /// allow, and returns the head as stored. Throws a 409/412 <see cref="RequestFailedException"/> when another writer
    /// got there first, and 404 when the head is gone.
    /// </summary>
    public async Task<ChannelHead> CommitAsync(string channel, ChannelHead head, IReadOnlyList<SequencedUpdate> stored, int recentEvents, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        if (head.ETag is null && stored.Count > 0)
        {
            await AddToIndexAsync([channel], cancellationToken);
        }

        var rows = new ChannelRows(channel);
        foreach (var transaction in LogTransactions.Plan(head, stored, recentEvents))
        {
            var etag = head.ETag;
            head = (await SubmitAsync(rows.Partition, [new ChannelStep(rows, transaction)], _ => etag, cancellationToken))[0].Head;
        }

        return head;
    }

    // One entity-group transaction of a bucket: each channel's log rows (Add: a second writer of a row fails), the key rows
    // it writes out, and its head (UpdateReplace under the ETag it follows, or Add for a new channel).
    private async Task<List<(string Channel, ChannelHead Head)>> SubmitAsync(string partition, IReadOnlyList<ChannelStep> steps, Func<ChannelStep, string?> etagOf, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>(LogTransactions.MaxOperations);
        var headIndexes = new List<int>(steps.Count);
        foreach (var (rows, transaction) in steps)
        {
            actions.AddRange(transaction.Updates.Select(entry => new TableTransactionAction(TableTransactionActionType.Add, UpdateRows.Log(rows, entry))));
            actions.AddRange(transaction.KeyRows.Select(value => new TableTransactionAction(TableTransactionActionType.UpsertReplace, UpdateRows.Key(rows, value))));
            var head = UpdateRows.Head(rows, transaction.Head);
            headIndexes.Add(actions.Count);
            actions.Add(etagOf(new ChannelStep(rows, transaction)) is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, head, new ETag(etag))
                : new TableTransactionAction(TableTransactionActionType.Add, head));
        }

        var response = await tables.Updates.SubmitTransactionAsync(actions, cancellationToken);
        var stored = new List<(string, ChannelHead)>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var (rows, transaction) = steps[i];
            var etag = response.Value[headIndexes[i]].Headers.ETag?.ToString()
                ?? (await tables.Updates.GetEntityAsync<TableEntity>(partition, rows.Head, select: ["LastSeq"], cancellationToken: cancellationToken)).Value.ETag.ToString();
            stored.Add((rows.Channel, transaction.Head with { ETag = etag }));
        }

        return stored;
    }

    // A new channel (or a new epoch of it) enters the index before its first update is stored, so that the channel list
    // never misses a channel with updates. Writing it again (a retry, a new epoch) changes nothing.
    private async Task AddToIndexAsync(IEnumerable<string> channels, CancellationToken cancellationToken)
    {
        await Task.WhenAll(channels.Chunk(LogTransactions.MaxOperations).Select(chunk => tables.Updates.SubmitTransactionAsync(
            chunk.Select(channel => new TableTransactionAction(TableTransactionActionType.UpsertReplace, UpdateRows.IndexEntry(channel))), cancellationToken)));
    }

    public async Task<ChannelHead?> ReadHeadAsync(string channel, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var rows = new ChannelRows(channel);
        var entity = await tables.Updates.GetEntityIfExistsAsync<TableEntity>(rows.Partition, rows.Head, cancellationToken: cancellationToken);
        return entity.HasValue ? UpdateRows.ReadHead(entity.Value!) : null;
    }

    /// <summary>
    /// Known channels' names in order, after <paramref name="after"/> and starting with <paramref name="prefix"/>, at
    /// most <paramref name="limit"/>: one range of the channel index.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListChannelNamesAsync(string prefix, string after, int limit, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var end = UpdateTablePartitions.PrefixEnd(prefix);
        var filter = after.Length > 0 && string.CompareOrdinal(after, prefix) >= 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {UpdateTablePartitions.Index} and RowKey gt {after} and RowKey lt {end}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {UpdateTablePartitions.Index} and RowKey ge {prefix} and RowKey lt {end}");
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
        var rows = new ChannelRows(channel);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {rows.Partition} and RowKey gt {rows.Log(after)} and RowKey le {rows.Log(after + limit)}");
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
        var rows = new ChannelRows(channel);
        var filter = afterKey.Length > 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {rows.Partition} and RowKey gt {rows.Key(afterKey)} and RowKey lt {rows.KeysEnd}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {rows.Partition} and RowKey ge {rows.KeysStart} and RowKey lt {rows.KeysEnd}");
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

    private async Task<List<TableEntity>> QueryHeadAndKeysAsync(ChannelRows channel, IEnumerable<string> rowKeys, CancellationToken cancellationToken)
    {
        // Each comparison is built by CreateQueryFilter, which quotes and escapes the value: input never shapes the query.
        var rows = string.Join(" or ", rowKeys.Select(rowKey => TableClient.CreateQueryFilter($"RowKey eq {rowKey}")));
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {channel.Partition} and RowKey ge {channel.Head} and RowKey lt {channel.KeysEnd}");
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

/// <summary>A channel's part of a batch's commit: its head as read, and its new updates.</summary>
public sealed record ChannelCommit(string Channel, ChannelHead Head, IReadOnlyList<SequencedUpdate> Stored);

/// <summary>
/// What a batch's commit did: each channel's head as stored (with its new ETag; as read when it had nothing new), and the
/// channels that met another writer or a reset, with the status that said so.
/// </summary>
public sealed record BatchCommit(IReadOnlyDictionary<string, ChannelHead> Heads, IReadOnlyDictionary<string, int> Conflicted);
