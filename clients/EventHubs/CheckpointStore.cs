using Azure;
using Azure.Data.Tables;

namespace Serverless.EventHubs.Client;

/// <summary>Where a consumer group got to in each partition: the last processed event's sequence number and offset.</summary>
public sealed record Checkpoint(long SequenceNumber, string Offset)
{
    /// <summary>The position right after this checkpoint.</summary>
    public EventPosition Next => EventPosition.FromSequenceNumber(SequenceNumber, inclusive: false);
}

/// <summary>
/// Checkpoints in Table Storage (Azurite locally): partition = namespace, hub and consumer group; row = partition id.
/// </summary>
public sealed class CheckpointStore(TableClient table)
{
    public const string DefaultTable = "eventhubcheckpoints";

    public static async Task<CheckpointStore> CreateAsync(string storageConnectionString, string tableName = DefaultTable, CancellationToken cancellationToken = default)
    {
        var table = new TableServiceClient(storageConnectionString).GetTableClient(tableName);
        await table.CreateIfNotExistsAsync(cancellationToken);
        return new CheckpointStore(table);
    }

    public async Task<IReadOnlyDictionary<string, Checkpoint>> ReadAsync(string fullyQualifiedNamespace, string hub, string consumerGroup, CancellationToken cancellationToken = default)
    {
        var partition = PartitionKey(fullyQualifiedNamespace, hub, consumerGroup);
        var checkpoints = new Dictionary<string, Checkpoint>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            checkpoints[entity.RowKey] = new Checkpoint(entity.GetInt64("SequenceNumber") ?? -1, entity.GetString("Offset") ?? "-1");
        }

        return checkpoints;
    }

    public async Task WriteAsync(string fullyQualifiedNamespace, string hub, string consumerGroup, string partitionId, Checkpoint checkpoint, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(PartitionKey(fullyQualifiedNamespace, hub, consumerGroup), partitionId)
        {
            ["SequenceNumber"] = checkpoint.SequenceNumber,
            ["Offset"] = checkpoint.Offset,
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    // Partition keys may not hold / \ # ?; the names here don't, but host:port does hold ':' which is fine.
    private static string PartitionKey(string fullyQualifiedNamespace, string hub, string consumerGroup) =>
        $"{fullyQualifiedNamespace}:{hub}:{consumerGroup}".ToLowerInvariant();
}
