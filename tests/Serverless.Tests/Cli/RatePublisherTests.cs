using System.Threading.Channels;
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
