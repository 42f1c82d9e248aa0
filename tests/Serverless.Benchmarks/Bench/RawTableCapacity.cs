using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.Storage;

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

    /// <summary>Entities per second, one entity per update.</summary>
    public static Task<double> MeasureAsync(string storageConnectionString, int channels, int updates, CancellationToken cancellationToken) =>
        MeasureAsync(storageConnectionString, channels, updates, withPipelineRows: false, cancellationToken);

    /// <summary>
    /// Updates per second when each is written as the pipeline writes it (pipeline/Storage/UpdateLog.cs): a log row and
    /// a dedup marker row, and the channel's head row once per transaction, so at most 49 updates per transaction. What
    /// the store allows the pipeline's row layout, before any of the pipeline's own work.
    /// </summary>
    public static Task<double> MeasurePipelineRowsAsync(string storageConnectionString, int channels, int updates, CancellationToken cancellationToken) =>
        MeasureAsync(storageConnectionString, channels, updates, withPipelineRows: true, cancellationToken);

    private static async Task<double> MeasureAsync(string storageConnectionString, int channels, int updates, bool withPipelineRows, CancellationToken cancellationToken)
    {
        var table = new TableClient(storageConnectionString, "raw" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync(cancellationToken);
        var events = new BenchEvents("raw", channels);
        var rows = Enumerable.Range(0, updates).Select(i => (Event: events.Next(), Seq: (long)(i / channels + 1))).ToList();
        var perTransaction = withPipelineRows ? (TransactionSize - 1) / 2 : TransactionSize;
        // Each channel's updates in transactions, the channels taken in turn as updates arrive.
        var transactions = rows.GroupBy(r => (string)r.Event[UpdateAttributes.Channel]!)
            .SelectMany(channel => channel.Chunk(perTransaction).Select((chunk, i) => (Index: i, Channel: channel.Key, Chunk: chunk)))
            .OrderBy(t => t.Index)
            .Select(t => Actions(t.Channel, t.Chunk, withPipelineRows))
            .ToList();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken }, async (actions, token) =>
            await table.SubmitTransactionAsync(actions, token));
        var rate = updates / clock.Elapsed.TotalSeconds;
        await table.DeleteAsync(cancellationToken);
        return rate;
    }

    private static List<TableTransactionAction> Actions(string channel, (JsonObject Event, long Seq)[] chunk, bool withPipelineRows)
    {
        var actions = new List<TableTransactionAction>(TransactionSize);
        foreach (var (cloudEvent, seq) in chunk)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, Log(channel, cloudEvent, seq)));
            if (withPipelineRows)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, Marker(channel, cloudEvent, seq)));
            }
        }

        if (withPipelineRows)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(channel, UpdateRowKeys.Head) { ["LastSeq"] = chunk[^1].Seq, ["Epoch"] = Guid.Empty.ToString("N") }));
        }

        return actions;
    }

    // The properties of a log row (pipeline/Storage/UpdateRows.cs), filled from the update.
    private static TableEntity Log(string channel, JsonObject cloudEvent, long seq) => new(channel, UpdateRowKeys.Log(seq))
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

    // The properties and key shape of a dedup marker row.
    private static TableEntity Marker(string channel, JsonObject cloudEvent, long seq)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{cloudEvent[UpdateAttributes.Source]}\n{cloudEvent[UpdateAttributes.Id]}")));
        return new TableEntity(channel, UpdateRowKeys.MarkerPrefix + id)
        {
            ["Seq"] = seq,
            ["Locator"] = $"0-{seq:D19}-0000",
            ["Digest"] = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(cloudEvent.ToJsonString()))),
        };
    }
}
