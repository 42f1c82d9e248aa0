using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// The singleton lock that lets one host of those sharing a storage account and host id run a timer: a lease on the
/// blob <see cref="HostBlobs.ListenerLock"/>, taken for host.json's <c>singleton.listenerLockPeriod</c> and renewed
/// while held, with the holder's id in the blob's <c>FunctionInstance</c> metadata (docs/functions-host.md#timer-triggers).
/// </summary>
internal sealed class ListenerLock(BlobContainerClient container, string blobName, string holderId, TimeSpan period)
{
    public const string HolderMetadata = "FunctionInstance";

    private readonly BlobClient blob = container.GetBlobClient(blobName);
    private readonly BlobLeaseClient lease = container.GetBlobClient(blobName).GetBlobLeaseClient(holderId);

    public TimeSpan Period => period;

    /// <summary>Takes the lease if no one holds it; false when another host does.</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        await EnsureBlobAsync(cancellationToken);
        try
        {
            await lease.AcquireAsync(period, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }

        await blob.SetMetadataAsync(new Dictionary<string, string> { [HolderMetadata] = holderId },
            new BlobRequestConditions { LeaseId = lease.LeaseId }, cancellationToken);
        return true;
    }

    /// <summary>Keeps the lease; false when it was lost (it lapsed, or the blob went away).</summary>
    public async Task<bool> TryRenewAsync(CancellationToken cancellationToken)
    {
        try
        {
            await lease.RenewAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    public async Task ReleaseAsync()
    {
        try
        {
            await lease.ReleaseAsync();
        }
        catch (RequestFailedException)
        {
            // Lapsed or taken already: nothing to give back.
        }
    }

    private async Task EnsureBlobAsync(CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // There already; a leased blob answers 412 (or 409 on some services) to a conditional create.
        }
    }
}
