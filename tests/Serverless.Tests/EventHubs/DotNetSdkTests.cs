using System.Text;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Producer;
using Azure.Messaging.EventHubs;
using Serverless.EventHubs;
using Serverless.Testing;

namespace Serverless.Tests.EventHubs;

/// <summary>The official Azure.Messaging.EventHubs .NET SDK against the local Event Hubs.</summary>
public sealed class DotNetSdkTests : IAsyncLifetime
{
    private EventHubsServer server = null!;

    public async Task InitializeAsync() => server = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 2, ConsumerGroups = ["ingest"] });

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static EventData Event(string text) => new(Encoding.UTF8.GetBytes(text)) { Properties = { ["kind"] = "test" } };

    private static EventHubProducerClientOptions NoRetries => new() { RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(10) } };

    [Fact]
    public async Task Events_round_trip_and_are_read_again_from_a_sequence_number_or_after_an_offset()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates");
        await producer.SendAsync([.. Enumerable.Range(0, 10).Select(i => Event($"e{i}"))], new SendEventOptions { PartitionKey = "prices.EURUSD" });
        var partition = (await ReadAsync("0", EventPosition.Earliest, 10)).Count == 10 ? "0" : "1";

        var all = await ReadAsync(partition, EventPosition.Earliest, 10);
        var fromFive = await ReadAsync(partition, EventPosition.FromSequenceNumber(5), 5);
        var afterThird = await ReadAsync(partition, EventPosition.FromOffset(all[3].OffsetString, isInclusive: false), 6);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), all.Select(e => e.EventBody.ToString()));
        Assert.All(all, e => Assert.Equal("prices.EURUSD", e.PartitionKey));
        Assert.All(all, e => Assert.Equal("test", e.Properties["kind"]));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), all.Select(e => e.SequenceNumber));
        Assert.Equal(Enumerable.Range(5, 5).Select(i => (long)i), fromFive.Select(e => e.SequenceNumber));
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), afterThird.Select(e => e.SequenceNumber));
    }

    [Fact]
    public async Task The_namespace_refuses_an_event_over_1_MB()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates", NoRetries);

        // SendAsync with a list skips the client's own size check, so the namespace is the one that says no.
        var error = await Assert.ThrowsAsync<EventHubsException>(() => producer.SendAsync([new EventData(new byte[1_100_000])], new SendEventOptions { PartitionId = "0" }));

        Assert.Equal(EventHubsException.FailureReason.MessageSizeExceeded, error.Reason);
    }

    [Fact]
    public async Task A_batch_is_as_large_as_the_namespace_says_a_message_may_be()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates");

        using var batch = await producer.CreateBatchAsync();

        Assert.Equal(1024 * 1024, batch.MaximumSizeInBytes);
    }

    [Fact]
    public async Task A_token_signed_with_the_wrong_key_is_refused()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString.Replace("SAS_KEY_VALUE", "wrong"), "updates", NoRetries);

        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => producer.SendAsync([Event("refused")]));

        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task A_receiver_that_tracks_the_last_enqueued_event_gets_it_with_each_batch()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates");
        await producer.SendAsync([.. Enumerable.Range(0, 4).Select(i => Event($"m{i}"))], new SendEventOptions { PartitionId = "1" });
        await using var receiver = new PartitionReceiver("ingest", "1", EventPosition.Earliest, server.ConnectionString, "updates",
            new PartitionReceiverOptions { TrackLastEnqueuedEventProperties = true });

        var events = await receiver.ReceiveBatchAsync(4, TimeSpan.FromSeconds(10));
        var last = receiver.ReadLastEnqueuedEventProperties();

        Assert.Equal(4, events.Count());
        Assert.Equal(3, last.SequenceNumber);
        Assert.NotNull(last.EnqueuedTime);
    }

    [Fact]
    public async Task The_partition_ids_come_from_management()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates");

        Assert.Equal(["0", "1"], await producer.GetPartitionIdsAsync());
    }

    [Fact]
    public async Task An_unknown_hub_is_named_in_the_error()
    {
        await using var producer = new EventHubProducerClient(server.ConnectionString, "nope", NoRetries);

        var error = await Assert.ThrowsAsync<EventHubsException>(() => producer.GetEventHubPropertiesAsync());

        Assert.Equal(EventHubsException.FailureReason.ResourceNotFound, error.Reason);
        Assert.Contains("nope", error.Message);
    }

    private async Task<List<EventData>> ReadAsync(string partition, EventPosition position, int expected)
    {
        // The events were all stored before reading, so a receive that comes back empty means the partition is read.
        await using var receiver = new PartitionReceiver("ingest", partition, position, server.ConnectionString, "updates");
        var read = new List<EventData>();
        List<EventData> events;
        do
        {
            events = [.. await receiver.ReceiveBatchAsync(100, TimeSpan.FromMilliseconds(500))];
            read.AddRange(events);
        }
        while (events.Count > 0 && read.Count < expected);

        return read;
    }
}
