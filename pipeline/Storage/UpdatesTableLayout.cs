using Azure;
using Azure.Data.Tables;
using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The row that says how the updates table keeps its channels: <see cref="Version"/> 2, channels in
/// <see cref="ChannelRows.Buckets"/> shared partitions. The first app to use an empty table writes it; a table with rows
/// and without it was written by an earlier version (one partition per channel), which this one does not read.
/// </summary>
internal static class UpdatesTableLayout
{
    public const int Version = 2;
    private const string RowKey = "updates";

    /// <summary>Null when the table holds this layout (marking an empty one), else what is wrong and what to do.</summary>
    public static async Task<string?> CheckAsync(TableClient table, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var marker = await table.GetEntityIfExistsAsync<TableEntity>(UpdateTablePartitions.Layout, RowKey, cancellationToken: cancellationToken);
            if (marker.HasValue)
            {
                var (version, buckets) = (marker.Value!.GetInt32("Version"), marker.Value.GetInt32("Buckets"));
                return version == Version && buckets == ChannelRows.Buckets
                    ? null
                    : $"The updates table '{table.Name}' was written in layout version {version} with {buckets} buckets; this version reads version {Version} with {ChannelRows.Buckets}. {WhatToDo}";
            }

            if (await HasRowsAsync(table, cancellationToken))
            {
                return $"The updates table '{table.Name}' was written by an earlier version, one partition per channel; this version keeps channels in {ChannelRows.Buckets} shared partitions and does not read it. {WhatToDo}";
            }

            try
            {
                await table.AddEntityAsync(new TableEntity(UpdateTablePartitions.Layout, RowKey) { ["Version"] = Version, ["Buckets"] = ChannelRows.Buckets }, cancellationToken);
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && attempt == 0)
            {
                // Another app marked it first: read what it wrote.
            }
        }
    }

    private const string WhatToDo =
        $"Start a new table: set {SettingNames.UpdatesTable} to a new name, or delete this table (its history is lost; clients start each channel over as a new epoch). " +
        "Locally, `up` keeps its data in the folder --data names (.local by default): delete it to start over.";

    private static async Task<bool> HasRowsAsync(TableClient table, CancellationToken cancellationToken)
    {
        // A page may come back empty with a continuation: the first row ends the search.
        await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
        {
            if (page.Values.Count > 0)
            {
                return true;
            }
        }

        return false;
    }
}
