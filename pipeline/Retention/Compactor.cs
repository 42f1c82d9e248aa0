using System.Diagnostics;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Storage;

namespace Serverless.Pipeline.Retention;

/// <summary>What one compaction did.</summary>
public sealed record CompactionResult(int Channels, int ChannelsTrimmed, long UpdatesDeleted, long DeadLettersDeleted, TimeSpan Elapsed);

/// <summary>
/// Trims each channel's log to its retention rule and deletes old dead letters (docs/retention.md). For a channel it
/// first records in the head, under the head's ETag, where the retained log now starts (<see cref="ChannelHead.FirstRetained"/>),
/// and only then deletes the log rows before it, in entity-group transactions of the channel's bucket. So the API
/// never serves a log with a hole: what it no longer holds it answers 410 for. The head, the key rows and the head's
/// pending values are never deleted: every key keeps its latest value. Ingest appends after the head and compaction
/// deletes before <see cref="ChannelHead.FirstRetained"/>, so the two never touch the same row; a head that Ingest
/// moved meanwhile fails the ETag and is read again. A second compaction at the same time finds rows already gone
/// and queries again.
/// </summary>
public sealed partial class Compactor(StorageTables tables, IOptions<RetentionOptions> options, TimeProvider time, ILogger<Compactor> logger)
{
    private const int MaxOperations = 100;
    private const int Parallelism = 4;
    private const int HeadAttempts = 5;

    public async Task<CompactionResult> RunAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var retention = options.Value;
        int channels = 0, trimmed = 0;
        long deleted = 0;
        await Parallel.ForEachAsync(ChannelNamesAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (channel, token) =>
            {
                var rows = await CompactChannelAsync(channel, retention.For(channel), now, token);
                Interlocked.Increment(ref channels);
                if (rows > 0)
                {
                    Interlocked.Increment(ref trimmed);
                    Interlocked.Add(ref deleted, rows);
                }
            });
        var deadLetters = retention.DeadLetterMaxAge > TimeSpan.Zero ? await DeleteDeadLettersBeforeAsync(now - retention.DeadLetterMaxAge, cancellationToken) : 0;
        var result = new CompactionResult(channels, trimmed, deleted, deadLetters, Stopwatch.GetElapsedTime(started));
        LogCompacted(result.Channels, result.ChannelsTrimmed, result.UpdatesDeleted, result.DeadLettersDeleted, result.Elapsed.TotalSeconds);
        return result;
    }

    /// <summary>Trims one channel to <paramref name="rule"/>; the number of log rows deleted.</summary>
    public async Task<long> CompactChannelAsync(string channel, RetentionRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rule.KeepsEverything)
        {
            return 0;
        }

        var rows = new ChannelRows(channel);
        var head = await ReadHeadAsync(rows, cancellationToken);
        if (head is null)
        {
            return 0;
        }

        var start = head.FirstRetained;
        if (rule.MaxUpdates > 0)
        {
            start = Math.Max(start, head.LastSequence - rule.MaxUpdates + 1);
        }

        if (rule.MaxAge > TimeSpan.Zero)
        {
            start = Math.Max(start, await FirstStoredAfterAsync(rows, start, head.LastSequence, now - rule.MaxAge, cancellationToken));
        }

        // Nothing new to trim: no query either, since a range query costs Azurite a scan of the table. Rows that a run
        // stopped between its two writes left before the head's start go with the channel's next trim.
        start = Math.Min(start, head.LastSequence + 1);
        if (start <= head.FirstRetained || !await RecordStartAsync(rows, head, start, cancellationToken))
        {
            return 0;
        }

        return await DeleteLogBeforeAsync(rows, start, cancellationToken);
    }

    private async Task<ChannelHead?> ReadHeadAsync(ChannelRows rows, CancellationToken cancellationToken)
    {
        var entity = await tables.Updates.GetEntityIfExistsAsync<TableEntity>(rows.Partition, rows.Head, cancellationToken: cancellationToken);
        return entity.HasValue ? UpdateRows.ReadHead(entity.Value!) : null;
    }

    /// <summary>The sequence number of the first log row stored at or after <paramref name="cutoff"/>; past the log when none is.</summary>
    private async Task<long> FirstStoredAfterAsync(ChannelRows rows, long from, long last, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // Most runs find the first kept row young: one point read says so, where a range query would cost Azurite a
        // scan of the table.
        var first = await tables.Updates.GetEntityIfExistsAsync<TableEntity>(rows.Partition, rows.Log(from), select: ["Timestamp"], cancellationToken: cancellationToken);
        if (first.HasValue && first.Value!.Timestamp >= cutoff)
        {
            return from;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {rows.Partition} and RowKey ge {rows.Log(from)} and RowKey le {rows.Log(last)}");
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Seq", "Timestamp"], cancellationToken: cancellationToken))
        {
            if (entity.Timestamp >= cutoff)
            {
                return entity.GetInt64("Seq") ?? from;
            }
        }

        return last + 1;
    }

    /// <summary>
    /// Moves the head's <see cref="ChannelHead.FirstRetained"/> to <paramref name="start"/> under its ETag; a head that
    /// moved meanwhile is read again. False when the channel started a new epoch (its old log is not this one's to
    /// trim), or when its head kept moving under a busy Ingest: the channel is left for the next run, which is no loss.
    /// </summary>
    private async Task<bool> RecordStartAsync(ChannelRows rows, ChannelHead head, long start, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var change = new TableEntity(rows.Partition, rows.Head) { ["FirstSeq"] = start };
                await tables.Updates.UpdateEntityAsync(change, new ETag(head.ETag!), TableUpdateMode.Merge, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (StorageTables.IsConflict(ex) && attempt == HeadAttempts)
            {
                LogHeadBusy(rows.Channel, HeadAttempts);
                return false;
            }
            catch (RequestFailedException ex) when (StorageTables.IsConflict(ex))
            {
                var fresh = await ReadHeadAsync(rows, cancellationToken);
                if (fresh is null || fresh.Epoch != head.Epoch)
                {
                    return false;
                }

                if (fresh.FirstRetained >= start)
                {
                    return true;
                }

                head = fresh;
            }
        }
    }

    private async Task<long> DeleteLogBeforeAsync(ChannelRows rows, long start, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {rows.Partition} and RowKey ge {rows.Start} and RowKey lt {rows.Log(start)}");
        return await DeleteAsync(tables.Updates, filter, cancellationToken);
    }

    private Task<long> DeleteDeadLettersBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        DeleteAsync(tables.DeadLetters, TableClient.CreateQueryFilter($"Timestamp lt {cutoff}"), cancellationToken);

    /// <summary>
    /// Deletes what <paramref name="filter"/> finds, a partition's rows 100 to a transaction, until it finds nothing. A
    /// transaction that meets a row already gone (another compaction got there first) is dropped and the query asked again.
    /// </summary>
    private static async Task<long> DeleteAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        long deleted = 0;
        while (true)
        {
            var found = new List<TableEntity>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                found.Add(entity);
                if (found.Count == 1000)
                {
                    break;
                }
            }

            if (found.Count == 0)
            {
                return deleted;
            }

            foreach (var chunk in found.GroupBy(e => e.PartitionKey).SelectMany(partition => partition.Chunk(MaxOperations)))
            {
                try
                {
                    await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
                    deleted += chunk.Length;
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404)
                {
                }
            }
        }
    }

    private async IAsyncEnumerable<string> ChannelNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {UpdateTablePartitions.Index}");
        await foreach (var entity in tables.Updates.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            yield return entity.RowKey;
        }
    }

    [LoggerMessage(EventId = 42, EventName = "CompactionDeferred", Level = LogLevel.Information,
        Message = "Compaction left {Channel} for its next run: its head moved under {Attempts} attempts to record where its log starts")]
    private partial void LogHeadBusy(string channel, int attempts);

    [LoggerMessage(EventId = 40, EventName = "Compacted", Level = LogLevel.Information,
        Message = "Compaction: {Channels} channels, {Trimmed} trimmed, {Updates} updates and {DeadLetters} dead letters deleted in {Seconds:0.0} s")]
    private partial void LogCompacted(int channels, int trimmed, long updates, long deadLetters, double seconds);
}
