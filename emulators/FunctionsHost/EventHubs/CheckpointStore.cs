using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>The last event a consumer group handled in a partition.</summary>
internal sealed record Checkpoint(long SequenceNumber, string? Offset);

/// <summary>
/// Event Hubs checkpoints where the Functions host keeps them: container <c>azure-webjobs-eventhub</c> of
/// <c>AzureWebJobsStorage</c>, one empty blob per partition named
/// <c>{namespace}/{hub}/{consumer group}/checkpoint/{partition}</c> in lower case, with the last handled event's
/// <c>offset</c> and <c>sequencenumber</c> in its metadata (docs/functions-host.md).
/// </summary>
internal sealed class CheckpointStore(BlobContainerClient container)
{
    public const string ContainerName = "azure-webjobs-eventhub";
    public const string OffsetKey = "offset";
    public const string SequenceNumberKey = "sequencenumber";

    private int created;

    public static CheckpointStore Create(string storageConnectionString) =>
        new(new BlobServiceClient(storageConnectionString).GetBlobContainerClient(ContainerName));

    public static string BlobName(string fullyQualifiedNamespace, string hub, string consumerGroup, string partitionId) =>
        $"{fullyQualifiedNamespace}/{hub}/{consumerGroup}/checkpoint/{partitionId}".ToLowerInvariant();

    public async Task<Checkpoint?> ReadAsync(string fullyQualifiedNamespace, string hub, string consumerGroup, string partitionId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await container.GetBlobClient(BlobName(fullyQualifiedNamespace, hub, consumerGroup, partitionId)).GetPropertiesAsync(cancellationToken: cancellationToken);
            var metadata = properties.Value.Metadata;
            return metadata.TryGetValue(SequenceNumberKey, out var text) && long.TryParse(text, out var sequence)
                ? new Checkpoint(sequence, metadata.TryGetValue(OffsetKey, out var offset) ? offset : null)
                : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task WriteAsync(string fullyQualifiedNamespace, string hub, string consumerGroup, string partitionId, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref created, 1) == 0)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        var metadata = new Dictionary<string, string> { [SequenceNumberKey] = checkpoint.SequenceNumber.ToString() };
        if (checkpoint.Offset is not null)
        {
            metadata[OffsetKey] = checkpoint.Offset;
        }

        var blob = container.GetBlobClient(BlobName(fullyQualifiedNamespace, hub, consumerGroup, partitionId));
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Metadata = metadata }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // The container went away under the host (storage reset): made again, and the checkpoint written.
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Metadata = metadata }, cancellationToken);
        }
    }
}
