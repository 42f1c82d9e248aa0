using System.Threading.Channels;
using Azure.Messaging.EventHubs.Producer;
using Serverless.EventHubs;
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
