using System.Net.Http.Json;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.EventHubs;
using Serverless.Testing;
using Serverless.Testing.Chaos;
using Serverless.Updates.Client;

namespace Serverless.Tests.Functions;

/// <summary>
/// Thousands of bad events of every kind, mixed with good ones, published with the official SDK and ingested by the
/// real worker under the host: each bad event is dead-lettered with its reason, each good one beside them is stored,
/// and the app's own counters agree.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class BadInputFloodTests(PipelineFixture fixture)
{
    [Fact]
    public async Task Every_bad_event_is_dead_lettered_with_its_reason_and_every_good_one_beside_it_is_stored()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var generator = new BadEvents(run, PipelineFixture.MaxEventBytes);
        var bodies = generator.Generate(3100).ToList();
        var expected = bodies.SelectMany(b => b.Outcomes).ToList();
        var deadLettersTable = "flooddead" + run;
        await using var eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 2, ConsumerGroups = ["ingest"] });
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, eventHubs.ConnectionString);
        settings[SettingNames.UpdatesTable] = "flood" + run;
        settings[SettingNames.DeadLettersTable] = deadLettersTable;
        settings[SettingNames.MaxEventBytes] = $"{PipelineFixture.MaxEventBytes}";
        await using var app = await FunctionAppServer.StartAsync(settings);

        await using (var producer = new EventHubProducerClient(eventHubs.ConnectionString, "updates"))
        {
            foreach (var chunk in bodies.Chunk(25))
            {
                await producer.SendAsync(chunk.Select(b => new EventData(b.Body)), new SendEventOptions { PartitionKey = BadEvents.PartitionKey });
            }
        }

        var deadLetters = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(deadLettersTable);
        var badCount = expected.Count(e => !e.Stored);
        var goodCount = expected.Count(e => e.Stored);
        List<TableEntity> letters = [];
        List<UpdateItem> stored = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline && (letters.Count < badCount || stored.Count < goodCount))
        {
            await Task.Delay(1000);
            letters = await ReadAllAsync(deadLetters);
            stored = await StoredAsync(app.Http, generator.Channels);
        }

        Assert.True(badCount > 2500, $"only {badCount} bad events");
        Assert.Equal(
            expected.Where(e => !e.Stored).GroupBy(e => e.Reason!).ToDictionary(g => g.Key, g => g.Count()).OrderBy(p => p.Key),
            letters.GroupBy(l => l.GetString("Reason")).ToDictionary(g => g.Key, g => g.Count()).OrderBy(p => p.Key));
        var lettered = letters.Where(l => l.GetString("EventId") is not null).ToDictionary(l => l.GetString("EventId"), l => l.GetString("Reason"));
        Assert.All(expected.Where(e => !e.Stored && e.Id is not null), e => Assert.Equal(e.Reason, lettered.GetValueOrDefault(e.Id!)));
        Assert.Equal(expected.Where(e => e.Stored).Select(e => e.Id).Order(), stored.Select(u => u.Id).Order());
        var health = await app.Http.GetFromJsonAsync<HealthReport>(ApiRoutes.Health, UpdatesApi.Json);
        Assert.Equal((goodCount, badCount), (health!.Ingest.Stored, health.Ingest.Rejected));
    }

    private static async Task<List<TableEntity>> ReadAllAsync(TableClient table)
    {
        var all = new List<TableEntity>();
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                all.Add(entity);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return all;
    }

    private static async Task<List<UpdateItem>> StoredAsync(HttpClient app, IReadOnlyList<string> channels) =>
        [.. (await Task.WhenAll(channels.Select(channel => UpdatesApi.ReadLogAsync(app, channel)))).SelectMany(log => log)];
}
