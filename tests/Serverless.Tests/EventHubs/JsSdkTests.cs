using System.Text.Json.Nodes;
using System.Text.Json;
using Serverless.EventHubs;
using Serverless.Testing;

namespace Serverless.Tests.EventHubs;

/// <summary>The official @azure/event-hubs JS SDK against the local Event Hubs.</summary>
public sealed class JsSdkTests : IAsyncLifetime
{
    private EventHubsServer server = null!;

    public async Task InitializeAsync() =>
        server = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 4, ConsumerGroups = ["ingest"] });

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Events_sent_with_and_without_partition_keys_in_batches_are_read_from_every_partition()
    {
        var events = new JsonArray();
        for (var i = 0; i < 10; i++)
        {
            events.Add(new JsonObject { ["body"] = new JsonObject { ["n"] = i, ["key"] = "prices.EURUSD" }, ["partitionKey"] = "prices.EURUSD" });
            events.Add(new JsonObject { ["body"] = new JsonObject { ["n"] = i, ["key"] = "orders.42" }, ["partitionKey"] = "orders.42" });
            events.Add(new JsonObject { ["body"] = new JsonObject { ["n"] = i, ["key"] = null } });
        }

        events.Add(new JsonObject { ["body"] = "to partition 2", ["partitionId"] = "2" });

        var batched = await SendAsync(events, batch: true);
        var single = await SendAsync(new JsonArray(
            new JsonObject { ["body"] = "one by one 1" }, new JsonObject { ["body"] = "one by one 2" },
            new JsonObject { ["body"] = "one by one 3" }, new JsonObject { ["body"] = "keyed", ["partitionKey"] = "orders.42" }), batch: false);
        var received = await ReceiveAsync(35);

        Assert.Equal(31, batched);
        Assert.Equal(4, single);
        Assert.Equal(35, received.Count);
        foreach (var key in new[] { "prices.EURUSD", "orders.42" })
        {
            var keyed = received.Where(e => e.GetProperty("partitionKey").GetString() == key).ToList();
            Assert.Single(keyed.Select(e => e.GetProperty("partitionId").GetString()).Distinct());
            var numbers = keyed.Where(e => e.GetProperty("body").ValueKind == JsonValueKind.Object).Select(e => e.GetProperty("body").GetProperty("n").GetInt32());
            Assert.Equal(Enumerable.Range(0, 10), numbers);
        }

        Assert.Equal("2", received.Single(e => e.GetProperty("body").ValueKind == JsonValueKind.String && e.GetProperty("body").GetString() == "to partition 2").GetProperty("partitionId").GetString());
        // A batch is one delivery and goes to one partition; events sent one by one without a key go round the partitions.
        var unkeyedBatch = received.Where(e => e.GetProperty("partitionKey").ValueKind == JsonValueKind.Null && e.GetProperty("body").ValueKind == JsonValueKind.Object);
        Assert.Single(unkeyedBatch.Select(e => e.GetProperty("partitionId").GetString()).Distinct());
        var oneByOne = received.Where(e => e.GetProperty("body").ValueKind == JsonValueKind.String && e.GetProperty("body").GetString()!.StartsWith("one by one"));
        Assert.Equal(3, oneByOne.Select(e => e.GetProperty("partitionId").GetString()).Distinct().Count());
        foreach (var partition in received.GroupBy(e => e.GetProperty("partitionId").GetString()))
        {
            var ordered = partition.OrderBy(e => e.GetProperty("sequenceNumber").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(0, ordered.Count).Select(i => (long)i), ordered.Select(e => e.GetProperty("sequenceNumber").GetInt64()));
            var offsets = ordered.Select(e => long.Parse(e.GetProperty("offset").GetString()!)).ToList();
            Assert.Equal(0, offsets[0]);
            Assert.Equal(offsets.Order(), offsets);
        }
    }

    [Fact]
    public async Task Hub_and_partition_properties_describe_what_was_sent()
    {
        await SendAsync(new JsonArray(
            new JsonObject { ["body"] = 1, ["partitionId"] = "1" },
            new JsonObject { ["body"] = 2, ["partitionId"] = "1" },
            new JsonObject { ["body"] = 3, ["partitionId"] = "1" }), batch: true);

        var answer = await RunAsync(new JsonObject { ["op"] = "properties" });

        var hub = answer.GetProperty("hub");
        Assert.Equal("updates", hub.GetProperty("name").GetString());
        Assert.Equal(["0", "1", "2", "3"], hub.GetProperty("partitionIds").EnumerateArray().Select(p => p.GetString()));
        var partitions = answer.GetProperty("partitions").EnumerateArray().ToDictionary(p => p.GetProperty("partitionId").GetString()!);
        Assert.False(partitions["1"].GetProperty("isEmpty").GetBoolean());
        Assert.Equal(0, partitions["1"].GetProperty("beginningSequenceNumber").GetInt64());
        Assert.Equal(2, partitions["1"].GetProperty("lastEnqueuedSequenceNumber").GetInt64());
        Assert.True(long.Parse(partitions["1"].GetProperty("lastEnqueuedOffset").GetString()!) > 0);
        Assert.True(partitions["0"].GetProperty("isEmpty").GetBoolean());
        Assert.Equal(-1, partitions["0"].GetProperty("lastEnqueuedSequenceNumber").GetInt64());
    }

    [Fact]
    public async Task Events_survive_a_restart_with_their_offsets_and_sequence_numbers()
    {
        await SendAsync(new JsonArray(Enumerable.Range(0, 20).Select(i => (JsonNode)new JsonObject { ["body"] = new JsonObject { ["n"] = i }, ["partitionKey"] = $"k{i % 3}" }).ToArray()), batch: true);
        var before = await ReceiveAsync(20);

        await server.RestartAsync();
        await SendAsync(new JsonArray(new JsonObject { ["body"] = new JsonObject { ["n"] = 20 }, ["partitionKey"] = "k0" }), batch: false);
        var after = await ReceiveAsync(21);

        string Identity(JsonElement e) => $"{e.GetProperty("partitionId")}/{e.GetProperty("sequenceNumber")}/{e.GetProperty("offset")}/{e.GetProperty("body").GetRawText()}";
        Assert.Equal(before.Select(Identity).Order(), after.Where(e => e.GetProperty("body").GetProperty("n").GetInt32() < 20).Select(Identity).Order());
        var appended = after.Single(e => e.GetProperty("body").GetProperty("n").GetInt32() == 20);
        var samePartition = before.Where(e => e.GetProperty("partitionId").GetString() == appended.GetProperty("partitionId").GetString()).ToList();
        Assert.Equal(samePartition.Count, appended.GetProperty("sequenceNumber").GetInt64());
    }

    [Fact]
    public async Task A_receiver_with_a_higher_owner_level_takes_the_partition_and_a_lower_one_is_refused()
    {
        var answer = await RunAsync(new JsonObject { ["op"] = "epoch", ["consumerGroup"] = "ingest", ["partitionId"] = "0" });

        var errors = answer.GetProperty("errors");
        Assert.Contains(errors.GetProperty("first").EnumerateArray(), e => e.GetProperty("code").GetString() == "ReceiverDisconnectedError");
        Assert.Empty(errors.GetProperty("second").EnumerateArray());
        Assert.Contains(errors.GetProperty("third").EnumerateArray(), e => e.GetProperty("code").GetString() == "ReceiverDisconnectedError");
    }

    [Fact]
    public async Task A_wrong_key_an_unknown_hub_and_an_unknown_consumer_group_are_refused()
    {
        var wrongKey = server.ConnectionString.Replace("SharedAccessKey=SAS_KEY_VALUE", "SharedAccessKey=not-the-key");
        var badKey = await NodeScript.RunAsync("eventhubs.mjs", new JsonObject
        {
            ["op"] = "send", ["connection"] = wrongKey, ["hub"] = "updates", ["batch"] = false, ["events"] = new JsonArray(new JsonObject { ["body"] = 1 }), ["maxRetries"] = 0,
        });
        var unknownHub = await NodeScript.RunAsync("eventhubs.mjs", new JsonObject
        {
            ["op"] = "properties", ["connection"] = server.ConnectionString, ["hub"] = "nope",
        });
        var unknownGroup = await NodeScript.RunAsync("eventhubs.mjs", new JsonObject
        {
            ["op"] = "receive", ["connection"] = server.ConnectionString, ["hub"] = "updates", ["consumerGroup"] = "nobody", ["expected"] = 1, ["timeoutMs"] = 5000,
        });

        Assert.False(badKey.GetProperty("ok").GetBoolean());
        Assert.Equal("UnauthorizedError", badKey.GetProperty("code").GetString());
        Assert.False(unknownHub.GetProperty("ok").GetBoolean());
        Assert.Contains("nope", unknownHub.GetProperty("message").GetString());
        Assert.Contains(unknownGroup.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains("nobody"));
    }

    private async Task<int> SendAsync(JsonArray events, bool batch)
    {
        var answer = await RunAsync(new JsonObject { ["op"] = "send", ["batch"] = batch, ["events"] = events });
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        return answer.GetProperty("sent").GetInt32();
    }

    private async Task<List<JsonElement>> ReceiveAsync(int expected)
    {
        var answer = await RunAsync(new JsonObject { ["op"] = "receive", ["consumerGroup"] = "$Default", ["expected"] = expected, ["timeoutMs"] = 20000 });
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.Empty(answer.GetProperty("errors").EnumerateArray());
        return [.. answer.GetProperty("received").EnumerateArray()];
    }

    private Task<JsonElement> RunAsync(JsonObject command)
    {
        command["connection"] = server.ConnectionString;
        command["hub"] ??= "updates";
        return NodeScript.RunAsync("eventhubs.mjs", command);
    }
}
