using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Serverless.FunctionsHost.EventHubs;

namespace Serverless.Testing;

/// <summary>
/// Who owns the partitions of a local hub's consumer group, read from the ownership blobs where the Functions host
/// keeps them (docs/functions-host.md#partition-ownership), not through the host's own store.
/// </summary>
public static class PartitionOwners
{
    /// <summary>Every ownership record, by partition, with its owner (blank when given up).</summary>
    public static async Task<IReadOnlyList<(string Partition, string Owner)>> RecordsAsync(string storageConnectionString, int eventHubsPort, string hub, string consumerGroup)
    {
        var container = new BlobContainerClient(storageConnectionString, CheckpointStore.ContainerName);
        var prefix = OwnershipStore.Prefix($"localhost:{eventHubsPort}", hub, consumerGroup);
        if (!await container.ExistsAsync())
        {
            return [];
        }

        var records = await container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }).ToListAsync();
        return [.. records.Select(r => (r.Name[prefix.Length..], r.Metadata.TryGetValue(OwnershipStore.OwnerKey, out var owner) ? owner : ""))];
    }

    /// <summary>How many partitions each owner holds (records given up are left out).</summary>
    public static async Task<Dictionary<string, int>> SharesAsync(string storageConnectionString, int eventHubsPort, string hub, string consumerGroup) =>
        (await RecordsAsync(storageConnectionString, eventHubsPort, hub, consumerGroup)).Where(r => r.Owner.Length > 0)
            .GroupBy(r => r.Owner).ToDictionary(g => g.Key, g => g.Count());
}
