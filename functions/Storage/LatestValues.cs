using Azure.Data.Tables;
using Serverless.Functions.Ingest;

namespace Serverless.Functions.Storage;

/// <summary>The latest value of every entity key per channel (partition = channel, row = key): a new client's snapshot.</summary>
public sealed class LatestValues(StorageTables tables)
{
    public async Task UpsertAsync(string channel, IReadOnlyList<SequencedUpdate> latest, CancellationToken cancellationToken)
    {
        if (latest.Count == 0)
        {
            return;
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        // A transaction may not touch one entity twice; the plan gives one latest update per key.
        foreach (var chunk in UpdateLog.Chunks(latest))
        {
            var actions = chunk.Select(entry => new TableTransactionAction(TableTransactionActionType.UpsertReplace, UpdateRows.Latest(channel, entry)));
            await tables.Latest.SubmitTransactionAsync(actions, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<StoredUpdate>> ReadAsync(string channel, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var values = new List<StoredUpdate>();
        await foreach (var entity in tables.Latest.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {channel}"), cancellationToken: cancellationToken))
        {
            values.Add(UpdateRows.ReadUpdate(entity));
        }

        return values;
    }
}
