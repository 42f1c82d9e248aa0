using Azure;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>
/// Who processes which partition, where the Functions host keeps it: container <c>azure-webjobs-eventhub</c> of
/// <c>AzureWebJobsStorage</c>, one empty blob per partition named
/// <c>{namespace}/{hub}/{consumer group}/ownership/{partition}</c> in lower case, its owner in metadata <c>ownerid</c>,
/// its last renewal in the blob's Last-Modified and its version in the blob's ETag. A claim is a write under that ETag
/// (or a create where there is none), so of two hosts claiming one partition in the same cycle one wins
/// (docs/functions-host.md#partition-ownership).
/// </summary>
internal sealed class OwnershipStore(BlobContainerClient container)
{
    public const string OwnerKey = "ownerid";

    private int created;

    public static OwnershipStore Create(string storageConnectionString) =>
        new(new BlobServiceClient(storageConnectionString).GetBlobContainerClient(CheckpointStore.ContainerName));

    public static string Prefix(string fullyQualifiedNamespace, string hub, string consumerGroup) =>
        $"{fullyQualifiedNamespace}/{hub}/{consumerGroup}/ownership/".ToLowerInvariant();

    /// <summary>Every ownership record of the consumer group, as stored (an unowned partition has a blank owner).</summary>
    public async Task<IReadOnlyList<EventProcessorPartitionOwnership>> ListAsync(OwnershipScope scope, CancellationToken cancellationToken)
    {
        var prefix = Prefix(scope.NamespaceKey, scope.Hub, scope.ConsumerGroup);
        var records = new List<EventProcessorPartitionOwnership>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }, cancellationToken))
            {
                records.Add(new EventProcessorPartitionOwnership
                {
                    FullyQualifiedNamespace = scope.FullyQualifiedNamespace,
                    EventHubName = scope.Hub,
                    ConsumerGroup = scope.ConsumerGroup,
                    PartitionId = blob.Name[prefix.Length..],
                    OwnerIdentifier = blob.Metadata.TryGetValue(OwnerKey, out var owner) ? owner : null,
                    LastModifiedTime = blob.Properties.LastModified ?? DateTimeOffset.MinValue,
                    Version = blob.Properties.ETag?.ToString("H"),
                });
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // No host has claimed anything yet (or storage was reset): every partition is free.
        }

        return records;
    }

    /// <summary>
    /// Claims (or renews, or with a blank owner gives up) each partition under the version it was listed with; returns
    /// those that were won, with their new version and time. A partition another host wrote in between is not won.
    /// </summary>
    public async Task<IReadOnlyList<EventProcessorPartitionOwnership>> ClaimAsync(OwnershipScope scope, IEnumerable<EventProcessorPartitionOwnership> desired, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref created, 1) == 0)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        var claimed = new List<EventProcessorPartitionOwnership>();
        foreach (var ownership in desired)
        {
            var blob = container.GetBlobClient(Prefix(scope.NamespaceKey, scope.Hub, scope.ConsumerGroup) + ownership.PartitionId);
            var metadata = new Dictionary<string, string> { [OwnerKey] = ownership.OwnerIdentifier ?? "" };
            try
            {
                var written = await WriteAsync(blob, metadata, ownership.Version, cancellationToken);
                claimed.Add(new EventProcessorPartitionOwnership
                {
                    FullyQualifiedNamespace = ownership.FullyQualifiedNamespace,
                    EventHubName = ownership.EventHubName,
                    ConsumerGroup = ownership.ConsumerGroup,
                    PartitionId = ownership.PartitionId,
                    OwnerIdentifier = ownership.OwnerIdentifier,
                    LastModifiedTime = written.LastModified,
                    Version = written.ETag.ToString("H"),
                });
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another host claimed it first: not this cycle.
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Storage was reset under the host: the container is made again, and the next cycle claims.
                Volatile.Write(ref created, 0);
            }
        }

        return claimed;
    }

    private static async Task<(ETag ETag, DateTimeOffset LastModified)> WriteAsync(BlobClient blob, Dictionary<string, string> metadata, string? version, CancellationToken cancellationToken)
    {
        if (version is not null)
        {
            try
            {
                var info = await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = new ETag(version) }, cancellationToken);
                return (info.Value.ETag, info.Value.LastModified);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                // The record went away (storage reset): it is created as a first claim.
            }
        }

        var created = await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Metadata = metadata, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        return (created.Value.ETag, created.Value.LastModified);
    }
}

/// <summary>
/// One consumer group of one hub, as the processor names it (<see cref="FullyQualifiedNamespace"/>) and as the blob
/// names key it (<see cref="NamespaceKey"/>: the host name, plus the port for a local namespace).
/// </summary>
internal sealed record OwnershipScope(string FullyQualifiedNamespace, string NamespaceKey, string Hub, string ConsumerGroup);
