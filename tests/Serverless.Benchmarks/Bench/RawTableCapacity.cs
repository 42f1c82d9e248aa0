using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// What the Table Storage under the pipeline takes at most for a workload's shape, with nothing in between: the
/// same number of entities as log rows of the same size and properties, in the same partitions (one per channel),
/// written as entity group transactions of up to 100 entities with 4 in flight.
/// </summary>
public static class RawTableCapacity
{
    public const int TransactionSize = 100;
    public const int InFlight = 4;

    /// <summary>Entities per second.</summary>
    public static async Task<double> MeasureAsync(string storageConnectionString, int channels, int updates, CancellationToken cancellationToken)
    {
        var table = new TableClient(storageConnectionString, "raw" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync(cancellationToken);
        var events = new BenchEvents("raw", channels);
        var rows = Enumerable.Range(0, updates).Select(i => Row(events.Next(), i / channels + 1)).ToList();
        // Each channel's rows in transactions of up to 100, the channels taken in turn as updates arrive.
        var transactions = rows.GroupBy(r => r.PartitionKey)
            .SelectMany(channel => channel.Chunk(TransactionSize).Select((chunk, i) => (Index: i, Chunk: chunk)))
            .OrderBy(t => t.Index)
            .Select(t => t.Chunk)
            .ToList();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken }, async (chunk, token) =>
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), token));
        var rate = updates / clock.Elapsed.TotalSeconds;
        await table.DeleteAsync(cancellationToken);
        return rate;
    }

    // The properties of a log row (pipeline/Storage/UpdateRows.cs), filled from the update.
    private static TableEntity Row(JsonObject cloudEvent, long seq) => new((string)cloudEvent[UpdateAttributes.Channel]!, seq.ToString("D19"))
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
