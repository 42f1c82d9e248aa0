using System.Threading.Channels;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Producer;
using Serverless.EventHubs;
using Serverless.Local.Demo;
using Serverless.Local.Publishing;
using Serverless.Testing;

namespace Serverless.Tests.Cli;

/// <summary><c>publish</c>'s sending loop against the local Event Hubs.</summary>
public sealed class RatePublisherTests : IAsyncLifetime
{
    private EventHubsServer server = null!;

    public async Task InitializeAsync() => server = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 1, ConsumerGroups = ["ingest"] });

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    public async Task A_live_source_is_sent_as_it_comes_not_when_a_batch_is_full(double rate)
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates");
        var publisher = new RatePublisher(producer, rate, count: null);
        var source = Channel.CreateUnbounded<OutgoingUpdate>();

        var run = publisher.RunAsync(source.Reader.ReadAllAsync(), CancellationToken.None);
        await source.Writer.WriteAsync(new OutgoingUpdate("""{"n":1}""", "prices.EURUSD"));
        await WaitForSentAsync(publisher, 1);
        await Task.Delay(300);
        await source.Writer.WriteAsync(new OutgoingUpdate("""{"n":2}""", "prices.EURUSD"));
        await WaitForSentAsync(publisher, 2);
        source.Writer.Complete();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, publisher.Stats.SentCount);
        Assert.Equal(0, publisher.Stats.FailedCount);
    }

    [Fact]
    public async Task With_a_journal_a_batch_that_fails_is_sent_again_until_the_hub_takes_it_and_every_update_is_confirmed()
    {
        var folder = Directory.CreateTempSubdirectory("journal-").FullName;
        try
        {
            await using var producer = new EventHubProducerClient(server.ConnectionString, "updates",
                new EventHubProducerClientOptions { RetryOptions = new Azure.Messaging.EventHubs.EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(2) } });
            using var journal = PublishJournal.Open(folder);
            var generator = new LoadGenerator(channels: 3, journal.Run);
            var publisher = new RatePublisher(producer, rate: 100, count: 400, journal);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            var run = publisher.RunAsync(UpdateSource.GenerateAsync(generator.Next, stop.Token), stop.Token);
            await WaitForSentAsync(publisher, 30);
            await server.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await server.StartAgainAsync();
            await run;

            var confirmed = PublishJournal.ReadConfirmed(folder);
            Assert.Equal(400, publisher.Stats.SentCount);
            Assert.Equal(0, publisher.Stats.FailedCount);
            Assert.True(publisher.Stats.RetriedCount > 0, "no send failed while the hub was down");
            Assert.Equal(Enumerable.Range(0, 400).Select(n => $"{journal.Run}-{n}").Order(), confirmed.Order());
            Assert.Equal(confirmed.Order(), PublishJournal.ReadAttempted(folder).Select(u => u.Id!).Distinct().Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Each_channel_goes_to_the_partition_its_key_hashes_to_in_the_order_it_was_given_with_a_few_sends_a_tick()
    {
        await using var hub = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 4 });
        await using var producer = new EventHubProducerClient(hub.ConnectionString, "updates");
        var generator = new LoadGenerator(channels: 200, "order");
        // Listened to, each send puts its span's id on its events: so the events tell how many sends there were.
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == PublishTracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await new RatePublisher(producer, rate: 0, count: 2000).RunAsync(UpdateSource.GenerateAsync(generator.Next, CancellationToken.None), CancellationToken.None);

        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, hub.ConnectionString, "updates");
        var read = new List<(int Partition, string Channel, long N, string Send)>();
        foreach (var partition in await consumer.GetPartitionIdsAsync())
        {
            await foreach (var e in consumer.ReadEventsFromPartitionAsync(partition, EventPosition.Earliest, new ReadEventOptions { MaximumWaitTime = TimeSpan.FromSeconds(1) }))
            {
                if (e.Data is null)
                {
                    break;
                }

                var body = System.Text.Json.Nodes.JsonNode.Parse(e.Data.EventBody.ToString())!;
                read.Add((int.Parse(partition), (string)body["subject"]!, (long)body["data"]!["n"]!, (string)e.Data.Properties[Serverless.Contracts.EventHubs.EventProperties.DiagnosticId]));
            }
        }

        Assert.Equal(2000, read.Count);
        foreach (var channel in read.GroupBy(r => r.Channel))
        {
            Assert.All(channel, r => Assert.Equal(PartitionKeys.PartitionIndex(channel.Key, 4), r.Partition));
            Assert.Equal(channel.Select(r => r.N).Order(), channel.Select(r => r.N));
        }

        // 2,000 updates of 200 channels in one tick: a batch or two per partition, not one per channel.
        Assert.InRange(read.Select(r => r.Send).Distinct().Count(), 4, 12);
    }

    private static async Task WaitForSentAsync(RatePublisher publisher, long sent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (publisher.Stats.SentCount < sent)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{publisher.Stats.SentCount} of {sent} sent while the source waits for more");
            await Task.Delay(20);
        }
    }
}
