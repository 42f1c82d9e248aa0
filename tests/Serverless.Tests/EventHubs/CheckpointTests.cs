using System.Text;
using Serverless.EventHubs;
using Serverless.EventHubs.Client;
using Serverless.Testing;

namespace Serverless.Tests.EventHubs;

[Collection(PipelineCollection.Name)]
public sealed class CheckpointTests(PipelineFixture fixture) : IAsyncLifetime
{
    private EventHubsServer server = null!;

    public async Task InitializeAsync() => server = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 1, ConsumerGroups = ["ingest"] });

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_consumer_resumes_after_its_checkpoint_in_table_storage()
    {
        var store = await CheckpointStore.CreateAsync(fixture.Azurite.ConnectionString, "checkpoints" + Guid.NewGuid().ToString("N")[..8]);
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");
        await producer.SendAsync([.. Enumerable.Range(0, 6).Select(i => new EventData(Encoding.UTF8.GetBytes($"e{i}")))]);

        await using (var first = await EventHubConsumer.OpenAsync(connection, "updates", "ingest", "0", EventPosition.Earliest))
        {
            var events = await first.ReceiveAsync(3, TimeSpan.FromSeconds(10));
            await store.WriteAsync("localhost", "updates", "ingest", "0", new Checkpoint(events[^1].SequenceNumber, events[^1].Offset));
        }

        var checkpoints = await store.ReadAsync("localhost", "updates", "ingest");
        await using var resumed = await EventHubConsumer.OpenAsync(connection, "updates", "ingest", "0", checkpoints["0"].Next);
        var rest = await resumed.ReceiveAsync(10, TimeSpan.FromSeconds(10));

        Assert.Equal(2, checkpoints["0"].SequenceNumber);
        Assert.Equal(["e3", "e4", "e5"], rest.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
    }
}
