using System.Text;
using Amqp;
using Amqp.Framing;
using Serverless.EventHubs;
using Serverless.EventHubs.Client;
using Serverless.Testing;

namespace Serverless.Tests.EventHubs;

/// <summary>Our own Event Hubs client (producer and consumer) against the local Event Hubs.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private EventHubsServer server = null!;

    public async Task InitializeAsync() => server = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 2, ConsumerGroups = ["ingest"] });

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static EventData Event(string text) => new(Encoding.UTF8.GetBytes(text), new Dictionary<string, object> { ["kind"] = "test" });

    [Fact]
    public async Task Events_round_trip_and_are_read_again_from_a_sequence_number_or_after_an_offset()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");
        await producer.SendAsync([.. Enumerable.Range(0, 10).Select(i => Event($"e{i}"))], partitionKey: "prices.EURUSD");

        var all = await ReadAsync(connection, EventPosition.Earliest, 10);
        var partition = all[0].Partition;
        var fromFive = await ReadAsync(connection, EventPosition.FromSequenceNumber(5), 5, partition);
        var afterThird = await ReadAsync(connection, EventPosition.AfterOffset(all[3].Event.Offset), 6, partition);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), all.Select(e => Encoding.UTF8.GetString(e.Event.Body.Span)));
        Assert.All(all, e => Assert.Equal(partition, e.Partition));
        Assert.All(all, e => Assert.Equal("prices.EURUSD", e.Event.PartitionKey));
        Assert.All(all, e => Assert.Equal("test", e.Event.Properties["kind"]));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), all.Select(e => e.Event.SequenceNumber));
        Assert.Equal(Enumerable.Range(5, 5).Select(i => (long)i), fromFive.Select(e => e.Event.SequenceNumber));
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), afterThird.Select(e => e.Event.SequenceNumber));
    }

    [Fact]
    public async Task The_namespace_refuses_an_event_over_1_MB()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");

        var error = await Assert.ThrowsAsync<AmqpException>(() => producer.SendRawAsync(new Message { BodySection = new Data { Binary = new byte[1_100_000] } }, partitionId: "0"));

        Assert.Equal("amqp:link:message-size-exceeded", error.Error.Condition.ToString());
    }

    [Fact]
    public async Task A_connection_authenticated_with_sasl_plain_needs_no_token()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString, usePlain: true);
        await using var producer = new EventHubProducer(connection, "updates");

        await producer.SendAsync([Event("plain")], partitionId: "1");
        var read = await ReadAsync(connection, EventPosition.Earliest, 1, "1");

        Assert.Equal("plain", Encoding.UTF8.GetString(read.Single().Event.Body.Span));
    }

    [Fact]
    public async Task A_token_signed_with_the_wrong_key_is_refused()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString.Replace("SAS_KEY_VALUE", "wrong"));

        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => connection.AuthorizeAsync("updates"));

        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task A_connection_with_sasl_mssbcbs_authorizes_through_cbs()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString, saslProfile: new MsSbCbsProfile());
        await using var producer = new EventHubProducer(connection, "updates");

        await producer.SendAsync([Event("cbs")], partitionId: "0");

        Assert.Equal("cbs", Encoding.UTF8.GetString((await ReadAsync(connection, EventPosition.Earliest, 1, "0")).Single().Event.Body.Span));
    }

    [Fact]
    public async Task A_consumer_that_asks_for_runtime_metrics_gets_the_last_enqueued_event_with_each_event()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");
        await producer.SendAsync([.. Enumerable.Range(0, 4).Select(i => Event($"m{i}"))], partitionId: "1");
        await using var consumer = await EventHubConsumer.OpenAsync(connection, "updates", "ingest", "1", EventPosition.Earliest, trackLastEnqueued: true);

        var events = await consumer.ReceiveAsync(4, TimeSpan.FromSeconds(10));

        Assert.All(events, e => Assert.Equal(3, e.LastEnqueuedSequenceNumber));
    }

    [Fact]
    public async Task The_partition_ids_come_from_management()
    {
        await using var connection = await EventHubsConnection.OpenAsync(server.ConnectionString);

        Assert.Equal(["0", "1"], await connection.GetPartitionIdsAsync("updates"));
    }

    /// <summary>SASL MSSBCBS as the .NET SDK sends it: an init with the mechanism and nothing else.</summary>
    private sealed class MsSbCbsProfile() : Amqp.Sasl.SaslProfile("MSSBCBS")
    {
        protected override ITransport UpgradeTransport(ITransport transport) => transport;

        protected override Amqp.Types.DescribedList GetStartCommand(string hostname) => new Amqp.Sasl.SaslInit { Mechanism = "MSSBCBS", InitialResponse = [] };

        protected override Amqp.Types.DescribedList OnCommand(Amqp.Types.DescribedList command) => null!;
    }

    private static async Task<List<(string Partition, ReceivedEvent Event)>> ReadAsync(EventHubsConnection connection, EventPosition position, int expected, string? onlyPartition = null)
    {
        var read = new List<(string, ReceivedEvent)>();
        foreach (var partition in onlyPartition is null ? ["0", "1"] : new[] { onlyPartition })
        {
            // A partition is read until a receive comes back empty (the events were all stored before reading).
            await using var consumer = await EventHubConsumer.OpenAsync(connection, "updates", "ingest", partition, position);
            IReadOnlyList<ReceivedEvent> events;
            do
            {
                events = await consumer.ReceiveAsync(100, TimeSpan.FromMilliseconds(500));
                read.AddRange(events.Select(e => (partition, e)));
            }
            while (events.Count > 0 && read.Count < expected);
        }

        return read;
    }
}
