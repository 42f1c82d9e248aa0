using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Serverless.Contracts.CloudEvents;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.App;
using Serverless.Local.Demo;
using Serverless.Pipeline.Storage;
using Serverless.Testing;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// What the Table Storage under the pipeline takes at most for a workload's shape, with nothing in between: log rows
/// of the same size and properties as the pipeline's, in the same partitions (one per channel), written as entity
/// group transactions of up to 100 entities with 4 in flight.
/// </summary>
public static class RawTableCapacity
{
    public const int TransactionSize = 100;
    public const int InFlight = 4;

    // A transaction writes each key's row once; the bench's events use the load generator's keys.
    private const int LoadKeysPerChannel = LoadGenerator.DefaultKeysPerChannel;

    // The trigger's batch size, as the host reads it from the app's host.json.
    private static readonly int TriggerBatchSize = HostJson.Read(Path.Combine(TestRepo.Layout.Functions, "host.json")).EventHubs.MaxEventBatchSize;

    /// <summary>Entities per second, one entity per update.</summary>
    public static Task<double> MeasureAsync(string storageConnectionString, int channels, int updates, CancellationToken cancellationToken) =>
        MeasureAsync(storageConnectionString, channels, updates, TransactionSize, InFlight, withPipelineRows: false, cancellationToken);

    /// <summary>
    /// Updates per second when each is written as the pipeline writes it (pipeline/Storage/UpdateLog.cs): a log row,
    /// and once per transaction the channel's head row with its recent events and its keys' latest values (the bench's
    /// 4 keys a channel stay pending in the head, pipeline/Storage/PendingValues.cs, so no key row is written), with as many
    /// updates of a channel per transaction as the trigger's batches hold (<see cref="UpdatesPerTransaction"/>), a
    /// bucket's channels in one transaction (pipeline/Storage/BucketTransactions.cs), and as many in flight as the pipeline keeps (<see cref="PipelineInFlight"/>). What the store allows the pipeline's rows
    /// in the pipeline's shape, before any of the pipeline's own work.
    /// </summary>
    public static Task<double> MeasurePipelineRowsAsync(string storageConnectionString, int channels, int updates, int partitions, CancellationToken cancellationToken) =>
        MeasureAsync(storageConnectionString, channels, updates, UpdatesPerTransaction(channels, partitions), PipelineInFlight(channels, partitions), withPipelineRows: true, cancellationToken);

    /// <summary>
    /// The pipeline's transactions in flight: up to 16 of a batch at once (pipeline/Ingest/IngestPipeline.cs), one batch
    /// per partition at a time.
    /// </summary>
    public static int PipelineInFlight(int channels, int partitions) => Math.Min(channels, 16 * partitions);

    /// <summary>
    /// A channel's updates in one trigger batch: a partition's batch (functions/host.json maxEventBatchSize) spread
    /// over the channels the partition carries, within a transaction's room besides the head and the key rows.
    /// </summary>
    public static int UpdatesPerTransaction(int channels, int partitions) =>
        Math.Clamp(TriggerBatchSize * Math.Min(partitions, channels) / channels, 1, TransactionSize - 1 - LoadKeysPerChannel); // room for the keys it could write out

    private static async Task<double> MeasureAsync(string storageConnectionString, int channels, int updates, int perTransaction, int inFlight, bool withPipelineRows, CancellationToken cancellationToken)
    {
        var table = new TableClient(storageConnectionString, "raw" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync(cancellationToken);
        var events = new BenchEvents("raw", channels);
        var rows = Enumerable.Range(0, updates).Select(i => (Event: events.Next(), Seq: (long)(i / channels + 1))).ToList();
        // Each channel's updates in transactions, the channels taken in turn as updates arrive. The pipeline's rows are in
        // the channels' buckets, a bucket's channels packed together up to 100 operations (pipeline/Storage/BucketTransactions.cs).
        var transactions = rows.GroupBy(r => (string)r.Event[UpdateAttributes.Channel]!)
            .SelectMany(channel => channel.Chunk(perTransaction).Select((chunk, i) => (Index: i, Rows: Rows(channel.Key, withPipelineRows), Chunk: chunk)))
            .GroupBy(t => (t.Index, t.Rows.Partition))
            .OrderBy(g => g.Key.Index)
            .SelectMany(group => Pack(group.Select(t => Actions(t.Rows, t.Chunk, withPipelineRows))))
            .ToList();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken }, async (actions, token) =>
            await table.SubmitTransactionAsync(actions, token));
        var rate = updates / clock.Elapsed.TotalSeconds;
        await table.DeleteAsync(cancellationToken);
        return rate;
    }

    // Raw: one partition per channel, its own transactions. The pipeline's rows: where the pipeline keeps them.
    private static (string Partition, string Prefix) Rows(string channel, bool withPipelineRows) =>
        withPipelineRows ? (new ChannelRows(channel).Partition, channel + "|") : (channel, "");

    private static IEnumerable<List<TableTransactionAction>> Pack(IEnumerable<List<TableTransactionAction>> channels)
    {
        var current = new List<TableTransactionAction>();
        foreach (var actions in channels)
        {
            if (current.Count + actions.Count > TransactionSize)
            {
                yield return current;
                current = [];
            }

            current.AddRange(actions);
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    private static List<TableTransactionAction> Actions((string Partition, string Prefix) rows, (JsonObject Event, long Seq)[] chunk, bool withPipelineRows)
    {
        var actions = chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Add, Log(rows, row.Event, row.Seq))).ToList();
        if (withPipelineRows)
        {
            // The pending values: each key's latest update, about as many bytes as its data and attributes.
            var pendingBytes = LoadKeysPerChannel * (Encoding.UTF8.GetByteCount(chunk[^1].Event[UpdateAttributes.Data]!.ToJsonString()) + 120);
            var lastSeq = chunk[^1].Seq;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(rows.Partition, rows.Prefix + "head")
            {
                ["LastSeq"] = lastSeq,
                ["Epoch"] = Guid.Empty.ToString("N"),
                ["Recent"] = RandomNumberGenerator.GetBytes((int)Math.Min(lastSeq, SettingDefaults.DedupWindow) * RecentEvents.EntryBytes),
                ["Positions"] = $"0={lastSeq}.0",
                ["Pending"] = RandomNumberGenerator.GetBytes(pendingBytes),
            }));
        }

        return actions;
    }

    // The properties of a log row (pipeline/Storage/UpdateRows.cs), filled from the update.
    private static TableEntity Log((string Partition, string Prefix) rows, JsonObject cloudEvent, long seq) => new(rows.Partition, rows.Prefix + seq.ToString("D19"))
    {
        ["Seq"] = seq,
        ["EventId"] = (string)cloudEvent[UpdateAttributes.Id]!,
        ["Source"] = (string)cloudEvent[UpdateAttributes.Source]!,
        ["Type"] = (string)cloudEvent[UpdateAttributes.Type]!,
        ["Time"] = DateTimeOffset.Parse((string)cloudEvent[UpdateAttributes.Time]!),
        ["Key"] = (string)cloudEvent[UpdateAttributes.EntityKey]!,
        ["Version"] = (long)cloudEvent[UpdateAttributes.EntityVersion]!,
        ["Data"] = Encoding.UTF8.GetBytes(cloudEvent[UpdateAttributes.Data]!.ToJsonString()),
    };
}
