using System.Net.Http.Json;
using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.EventHubs;
using Serverless.Testing;
using Serverless.Updates.Client;
using Xunit.Abstractions;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// Several hosts on one storage account and hub, as several instances of the app in Azure: they share the partitions
/// through ownership records where the Functions host keeps them (docs/functions-host.md#partition-ownership), a
/// host that stops gives its partitions to the others, and the channels whose partition moved away and back are stored
/// whole, in order and once, though the worker that had them cached was not told.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class PartitionOwnershipTests(PipelineFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 4;
    private const int Channels = 16;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string updatesTable = "own" + Guid.NewGuid().ToString("N")[..12];
    private EventHubsServer eventHubs = null!;
    private EventHubProducerClient producer = null!;

    public async Task InitializeAsync()
    {
        eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = Partitions, ConsumerGroups = ["ingest"] });
        producer = new EventHubProducerClient(eventHubs.ConnectionString, "updates");
    }

    public async Task DisposeAsync()
    {
        await producer.DisposeAsync();
        await eventHubs.DisposeAsync();
    }

    [Fact]
    public async Task Hosts_share_the_partitions_and_a_stopped_host_leaves_them_to_the_others_with_every_channel_whole()
    {
        var channels = Enumerable.Range(0, Channels).Select(_ => TestEvents.NewChannel()).ToList();
        var settings = Settings();
        await using var a = await FunctionAppServer.StartAsync(settings);
        Assert.Equal([Partitions], (await OwnersAsync(count => count == 1)).Values);

        await PublishAsync(channels, "r1");
        await WaitForHeadsAsync(a, channels, 5);

        var b = await FunctionAppServer.StartAsync(settings);
        try
        {
            // Greedy balancing: the newcomer claims until it has its share.
            var shared = await OwnersAsync(count => count == 2);
            Assert.Equal([Partitions / 2, Partitions / 2], shared.Values);
            await PublishAsync(channels, "r2");
            await WaitForHeadsAsync(a, channels, 10);
            var storedByB = (await HealthAsync(b)).Stored;
            output.WriteLine($"the second host stored {storedByB} of {Channels * 5} updates of round 2");
            Assert.True(storedByB > 0, "the second host stored nothing: the partitions were not shared");
        }
        finally
        {
            await b.DisposeAsync();
        }

        // The stopped host gave its partitions up: the first takes them back without waiting for them to expire.
        Assert.Equal([Partitions], (await OwnersAsync(count => count == 1)).Values);
        await PublishAsync(channels, "r3");
        foreach (var page in await WaitForHeadsAsync(a, channels, 15))
        {
            Assert.Equal([.. Enumerable.Range(1, 15).Select(i => (long)i)], page.Updates.Select(u => u.Seq));
            Assert.Equal([.. new[] { "r1", "r2", "r3" }.SelectMany(r => Enumerable.Range(0, 5).Select(i => $"{r}-{i}"))], page.Updates.Select(u => u.Id));
        }

        Assert.Contains("PartitionLeft", a.Log.EventNames);
    }

    [Fact]
    public async Task A_second_host_without_the_first_running_waits_for_no_expiry_of_a_partition_that_was_given_up()
    {
        var settings = Settings();
        var a = await FunctionAppServer.StartAsync(settings);
        await OwnersAsync(count => count == 1);
        await a.DisposeAsync();
        // Every record now has a blank owner: given up, as the SDK does on a stop.
        var records = await PartitionOwners.RecordsAsync(fixture.Azurite.ConnectionString, eventHubs.Port, "updates", "ingest");
        Assert.Equal(Partitions, records.Count);
        Assert.All(records, r => Assert.Equal("", r.Owner));

        await using var b = await FunctionAppServer.StartAsync(settings);
        Assert.Equal([Partitions], (await OwnersAsync(count => count == 1)).Values);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, eventHubs.ConnectionString);
        settings[SettingNames.UpdatesTable] = updatesTable;
        // Short intervals, as app settings override host.json in Azure, so that balancing is seen within seconds.
        settings["AzureFunctionsJobHost__extensions__eventHubs__loadBalancingUpdateInterval"] = "00:00:01";
        settings["AzureFunctionsJobHost__extensions__eventHubs__partitionOwnershipExpirationInterval"] = "00:00:06";
        return settings;
    }

    private async Task PublishAsync(IReadOnlyList<string> channels, string round)
    {
        foreach (var channel in channels)
        {
            await producer.SendAsync(Enumerable.Range(0, 5).Select(i => new EventData(Encoding.UTF8.GetBytes(TestEvents.Update(channel, $"{round}-{i}").ToJsonString()))),
                new SendEventOptions { PartitionKey = channel });
        }
    }

    private static async Task<IReadOnlyList<UpdatesPage>> WaitForHeadsAsync(FunctionAppServer app, IReadOnlyList<string> channels, long head) =>
        await Task.WhenAll(channels.Select(c => ChannelLog.WaitForHeadAsync(app.Http, c, head)));

    private static async Task<IngestTotals> HealthAsync(FunctionAppServer app) =>
        (await app.Http.GetFromJsonAsync<HealthReport>(ApiRoutes.Health, UpdatesApi.Json))!.Ingest;

    /// <summary>Waits until every partition has an owner and the owners number as <paramref name="settled"/> wants; answers partitions per owner.</summary>
    private async Task<Dictionary<string, int>> OwnersAsync(Func<int, bool> settled)
    {
        var last = new Dictionary<string, int>();
        try
        {
            return await Poll.UntilAsync(async () =>
            {
                last = await PartitionOwners.SharesAsync(fixture.Azurite.ConnectionString, eventHubs.Port, "updates", "ingest");
                return last.Values.Sum() == Partitions && settled(last.Count) && last.Values.Max() - last.Values.Min() <= 1 ? last : null;
            }, Wait);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The partitions did not settle; owners: {string.Join(", ", last.Select(o => $"{o.Key}={o.Value}"))}");
        }
    }
}
