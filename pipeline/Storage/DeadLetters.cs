using Azure.Data.Tables;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// Rejected events with their reason, bounded raw body and Event Hubs metadata. Rows are keyed by the event's place
/// in its partition, so a redelivered batch rewrites the same rows instead of adding new ones.
/// </summary>
public sealed class DeadLetters(StorageTables tables, TimeProvider time)
{
    public async Task WriteAsync(IReadOnlyList<Rejection> rejections, CancellationToken cancellationToken)
    {
        if (rejections.Count == 0)
        {
            return;
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var batchId = Guid.NewGuid().ToString("N");
        var entities = rejections.Select(r => ToEntity(r, now, batchId)).GroupBy(e => e.PartitionKey);
        var writes = entities.SelectMany(partition => partition.Chunk(LogTransactions.MaxOperations))
            .Select(chunk => tables.DeadLetters.SubmitTransactionAsync(
                chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken));
        await Task.WhenAll(writes);
    }

    private static TableEntity ToEntity(Rejection rejection, DateTimeOffset now, string batchId)
    {
        var origin = rejection.Origin;
        var partitionKey = origin.PartitionId is null ? "no-partition" : $"partition-{origin.PartitionId}";
        // Without an Event Hubs position an event has no stable identity, so the row gets a unique one.
        var rowKey = origin.SequenceNumber is null ? $"{now:yyyyMMddHHmmssfff}-{batchId}-{origin.Locator}" : origin.Locator;
        return new TableEntity(partitionKey, rowKey)
        {
            ["Reason"] = rejection.Reason,
            ["Detail"] = rejection.Detail,
            ["Body"] = rejection.RawBody,
            ["Channel"] = rejection.Channel,
            ["EventId"] = rejection.EventId,
            ["Source"] = rejection.Source,
            ["EventHubPartition"] = origin.PartitionId,
            ["SequenceNumber"] = origin.SequenceNumber,
            ["Offset"] = origin.Offset,
            ["EnqueuedTimeUtc"] = origin.EnqueuedTime,
            ["EventHubPartitionKey"] = origin.PartitionKey,
            ["IndexInBody"] = origin.IndexInBody,
            ["RejectedAt"] = now,
        };
    }
}
