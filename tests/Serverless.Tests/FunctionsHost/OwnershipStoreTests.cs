using Azure.Messaging.EventHubs.Primitives;
using Azure.Storage.Blobs;
using Serverless.FunctionsHost.EventHubs;
using Serverless.Testing;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// The ownership records against Azurite, as the Event Hubs SDK's processor relies on them
/// (docs/functions-host.md#partition-ownership): of two claims made from the same listing only one wins, a renewal
/// needs the version it last saw, and a record given up is listed with a blank owner.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class OwnershipStoreTests(PipelineFixture fixture)
{
    private readonly OwnershipScope scope = new("localhost", "localhost:1", "hub" + Guid.NewGuid().ToString("N")[..8], "$Default");

    [Fact]
    public async Task Of_two_first_claims_one_wins()
    {
        var store = Store();

        var first = await store.ClaimAsync(scope, [Desired("0", "a", version: null)], CancellationToken.None);
        var second = await store.ClaimAsync(scope, [Desired("0", "b", version: null)], CancellationToken.None);

        Assert.Single(first);
        Assert.Empty(second);
        Assert.Equal("a", Assert.Single(await store.ListAsync(scope, CancellationToken.None)).OwnerIdentifier);
    }

    [Fact]
    public async Task A_claim_needs_the_version_it_was_listed_with()
    {
        var store = Store();
        var listed = Assert.Single(await store.ClaimAsync(scope, [Desired("1", "a", version: null)], CancellationToken.None));

        // a renews; b then claims from the listing it had before the renewal, and loses.
        var renewed = Assert.Single(await store.ClaimAsync(scope, [Desired("1", "a", listed.Version)], CancellationToken.None));
        var stale = await store.ClaimAsync(scope, [Desired("1", "b", listed.Version)], CancellationToken.None);

        Assert.NotEqual(listed.Version, renewed.Version);
        Assert.True(renewed.LastModifiedTime >= listed.LastModifiedTime);
        Assert.Empty(stale);
        var record = Assert.Single(await store.ListAsync(scope, CancellationToken.None));
        Assert.Equal(("1", "a", renewed.Version), (record.PartitionId, record.OwnerIdentifier, record.Version));
    }

    [Fact]
    public async Task A_partition_given_up_is_listed_without_an_owner_and_can_be_claimed_under_its_version()
    {
        var store = Store();
        var owned = Assert.Single(await store.ClaimAsync(scope, [Desired("2", "a", version: null)], CancellationToken.None));
        Assert.Single(await store.ClaimAsync(scope, [Desired("2", "", owned.Version)], CancellationToken.None));

        var released = Assert.Single(await store.ListAsync(scope, CancellationToken.None));
        Assert.Equal("", released.OwnerIdentifier);
        var taken = Assert.Single(await store.ClaimAsync(scope, [Desired("2", "b", released.Version)], CancellationToken.None));
        Assert.Equal("b", taken.OwnerIdentifier);
    }

    private OwnershipStore Store() =>
        new(new BlobServiceClient(fixture.Azurite.ConnectionString).GetBlobContainerClient("own" + Guid.NewGuid().ToString("N")[..12]));

    private EventProcessorPartitionOwnership Desired(string partition, string owner, string? version) => new()
    {
        FullyQualifiedNamespace = scope.FullyQualifiedNamespace,
        EventHubName = scope.Hub,
        ConsumerGroup = scope.ConsumerGroup,
        PartitionId = partition,
        OwnerIdentifier = owner,
        Version = version,
    };
}
