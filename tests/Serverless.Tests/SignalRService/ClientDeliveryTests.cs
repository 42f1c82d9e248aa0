using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR;
using Serverless.Contracts.Push;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests.SignalRService;

/// <summary>The official SignalR .NET client against the local SignalR Service, through the function app's negotiate.</summary>
[Collection(PipelineCollection.Name)]
public sealed class ClientDeliveryTests(PipelineFixture fixture)
{
    [Theory]
    [InlineData(HttpTransportType.WebSockets, false)]
    [InlineData(HttpTransportType.WebSockets, true)]
    [InlineData(HttpTransportType.ServerSentEvents, false)]
    [InlineData(HttpTransportType.LongPolling, false)]
    [InlineData(HttpTransportType.LongPolling, true)]
    public async Task Ingested_updates_reach_a_subscribed_client_on_every_transport_and_protocol(HttpTransportType transport, bool messagePack)
    {
        var channel = TestEvents.NewChannel();
        await using var client = await UpdatesClient.ConnectAsync(fixture.Http, transport, messagePack);
        await client.SubscribeAsync(channel);

        await fixture.IngestAsync(TestEvents.Batch(Enumerable.Range(1, 3).Select(i => TestEvents.Update(channel, $"e{i}", new { price = 1.5 + i, tags = new[] { "a" } }, key: "k", version: i))));
        var message = await client.NextAsync();

        Assert.Equal(channel, message.Channel);
        Assert.Equal([(1L, "e1"), (2L, "e2"), (3L, "e3")], PipelineFixture.Updates(message));
        var last = message.Updates[2];
        Assert.Equal(4.5, last.Data.GetProperty("price").GetDouble());
        Assert.Equal("a", last.Data.GetProperty("tags")[0].GetString());
        Assert.Equal("k", last.Key);
    }

    [Fact]
    public async Task Updates_reach_the_connections_subscribed_to_their_channel_only_and_in_order()
    {
        var (first, second) = (TestEvents.NewChannel(), TestEvents.NewChannel());
        // Subscriptions belong to users: each connection here is another user's.
        await using var a = await fixture.SubscribedClientAsAsync("reader-a", first);
        await using var b = await fixture.SubscribedClientAsAsync("reader-b", second);
        await using var both = await fixture.SubscribedClientAsAsync("reader-both", first, second);
        await using var none = await UpdatesClient.ConnectAsync(fixture.Http);
        using var rest = new ServiceRest(fixture.SignalR);

        for (var batch = 0; batch < 5; batch++)
        {
            var events = Enumerable.Range(0, 6).Select(i => TestEvents.Update(i % 2 == 0 ? first : second, $"b{batch}-{i}"));
            Assert.True((await fixture.IngestAsync(TestEvents.Batch(events, firstSequenceNumber: batch * 6))).Stored > 0);
        }

        var clients = new[] { a, b, both, none };
        var received = new List<UpdateMessage>[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            // Everything pushed to a connection arrives before a later message to that connection.
            var marker = clients[i].Listen("marker");
            Assert.Equal(202, await rest.SendToConnectionAsync(clients[i].ConnectionId, "marker", "end"));
            await marker.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            received[i] = clients[i].Drain();
        }

        Assert.Equal(Enumerable.Range(1, 15).Select(n => (long)n), Sequences(received[0], first));
        Assert.All(received[0], m => Assert.Equal(first, m.Channel));
        Assert.Equal(Enumerable.Range(1, 15).Select(n => (long)n), Sequences(received[1], second));
        Assert.All(received[1], m => Assert.Equal(second, m.Channel));
        Assert.Equal(Enumerable.Range(1, 15).Select(n => (long)n), Sequences(received[2], first));
        Assert.Equal(Enumerable.Range(1, 15).Select(n => (long)n), Sequences(received[2], second));
        Assert.Empty(received[3]);
    }

    [Fact]
    public async Task A_client_that_invokes_a_hub_method_is_refused_and_disconnected()
    {
        await using var client = await UpdatesClient.ConnectAsync(fixture.Http);
        var closed = new TaskCompletionSource<Exception?>();
        client.Connection.Closed += error => { closed.TrySetResult(error); return Task.CompletedTask; };

        var invocation = await Assert.ThrowsAnyAsync<Exception>(() => client.Connection.InvokeAsync("SendMessage", "hello"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(invocation is HubException or TaskCanceledException or InvalidOperationException, invocation.ToString());
        Assert.Equal(HubConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task A_client_that_reconnects_catches_up_and_ends_with_every_update_exactly_once()
    {
        var channel = TestEvents.NewChannel();
        var follower = new ChannelFollower(fixture.Http, channel);
        long eventHubSequence = 0;
        async Task PublishAsync(int count)
        {
            var first = eventHubSequence;
            var events = Enumerable.Range(0, count).Select(i => TestEvents.Update(channel, $"e{first + i}")).ToList();
            eventHubSequence += count;
            Assert.True((await fixture.IngestAsync(TestEvents.Batch(events, firstSequenceNumber: first))).Stored > 0);
        }

        async Task<UpdatesClient> ConnectAsync()
        {
            var client = await UpdatesClient.ConnectAsync(fixture.Http, HttpTransportType.WebSockets);
            var position = (await client.SubscribeAsync(channel)).Channels.Single();
            await follower.CatchUpAsync(position.Epoch, position.Head);
            return client;
        }

        async Task ApplyUntilAsync(UpdatesClient client, long head)
        {
            while (follower.Last < head)
            {
                await follower.ApplyAsync(await client.NextAsync());
            }
        }

        await PublishAsync(5);
        var client = await ConnectAsync();
        await PublishAsync(5);
        await ApplyUntilAsync(client, 10);

        // The connection drops; updates go on; a new connection subscribes again and catches up.
        await client.DisposeAsync();
        await PublishAsync(7);
        client = await ConnectAsync();
        await PublishAsync(3);
        await ApplyUntilAsync(client, 20);

        // A redelivered batch pushes old sequence numbers again; they are dropped.
        await fixture.IngestAsync(TestEvents.Batch(Enumerable.Range(17, 3).Select(i => TestEvents.Update(channel, $"e{i}")).ToList(), firstSequenceNumber: 17));
        await PublishAsync(1);
        await ApplyUntilAsync(client, 21);
        await client.DisposeAsync();

        Assert.Equal(Enumerable.Range(1, 21).Select(n => (long)n), follower.Applied.Select(u => u.Seq));
        Assert.Equal(Enumerable.Range(0, 21).Select(n => $"e{n}"), follower.Applied.Select(u => u.Id));
        Assert.Equal(12, follower.Recovered);
    }

    private static IEnumerable<long> Sequences(IEnumerable<UpdateMessage> messages, string channel) =>
        messages.Where(m => m.Channel == channel).SelectMany(m => m.Updates.Select(u => u.Seq));
}
