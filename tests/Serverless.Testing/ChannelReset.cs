using Azure.Data.Tables;
using Serverless.Pipeline.Storage;

namespace Serverless.Testing;

/// <summary>Deletes a channel's rows (log, head, key rows) from the updates table, as an operator resetting it would.</summary>
public static class ChannelReset
{
    public static async Task DeleteRowsAsync(TableClient table, string channel)
    {
        var rows = new ChannelRows(channel);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {rows.Partition} and RowKey ge {rows.Start} and RowKey lt {rows.End}");
        var found = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"]))
        {
            found.Add(row);
        }

        foreach (var chunk in found.Chunk(LogTransactions.MaxOperations))
        {
            await table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row)));
        }
    }
}
