using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Serverless.Testing;

namespace Serverless.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class IngestTests(PipelineFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Invocation_is_accepted_double_encoded_and_as_plain_json(bool doubleEncoded)
    {
        var channel = TestEvents.NewChannel();
        var events = Enumerable.Range(1, 3).Select(i => TestEvents.Update(channel, $"e{i}", new { price = i })).ToList();

        var (status, body) = await fixture.IngestAsync(TestEvents.Invocation(events, doubleEncoded: doubleEncoded));

        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Contains("3 stored", body.GetProperty("Logs")[0].GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal([1L, 2L, 3L], stored.Select(u => u.GetProperty("seq").GetInt64()));
        Assert.Equal(["e1", "e2", "e3"], stored.Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(2, stored[1].GetProperty("data").GetProperty("price").GetInt32());
    }

    [Fact]
    public async Task Sequences_are_assigned_per_channel_in_event_hubs_order()
    {
        var channels = Enumerable.Range(0, 4).Select(_ => TestEvents.NewChannel()).ToArray();
        // Interleaved as they would sit in one partition; the batched-mode array body holds two events.
        var bodies = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            bodies.Add(TestEvents.Update(channels[i % 4], $"e{i}").ToJsonString());
        }

        bodies.Add(new JsonArray(TestEvents.Update(channels[0], "array-a"), TestEvents.Update(channels[1], "array-b")).ToJsonString());

        var (status, _) = await fixture.IngestAsync(TestEvents.Invocation(bodies, partitionId: "1", firstSequenceNumber: 500));

        Assert.Equal(200, status);
        for (var c = 0; c < 4; c++)
        {
            var stored = await fixture.ReadAllAsync(channels[c]);
            var expectedIds = Enumerable.Range(0, 20).Where(i => i % 4 == c).Select(i => $"e{i}").ToList();
            if (c < 2)
            {
                expectedIds.Add(c == 0 ? "array-a" : "array-b");
            }

            Assert.Equal(expectedIds, stored.Select(u => u.GetProperty("id").GetString()));
            Assert.Equal(Enumerable.Range(1, expectedIds.Count).Select(i => (long)i), stored.Select(u => u.GetProperty("seq").GetInt64()));
        }
    }

    [Fact]
    public async Task Redelivered_batch_stores_nothing_twice_and_is_pushed_again_with_the_same_sequences()
    {
        var channel = TestEvents.NewChannel();
        var other = TestEvents.NewChannel();
        var events = Enumerable.Range(1, 6).Select(i => TestEvents.Update(i % 2 == 0 ? channel : other, $"e{i}", key: $"k{i % 3}", version: i)).ToList();
        var invocation = TestEvents.Invocation(events, partitionId: "2", firstSequenceNumber: 40);
        await using var client = await fixture.SubscribedClientAsync(channel);

        var first = await fixture.IngestAsync(invocation);
        var stateAfterFirst = await fixture.ReadAllAsync(channel);
        var firstPush = await client.NextAsync();
        var again = await fixture.IngestAsync(invocation);
        var secondPush = await client.NextAsync();

        Assert.Equal(200, first.Status);
        Assert.Equal(200, again.Status);
        Assert.Contains("0 stored, 6 redelivered", again.Body.GetProperty("Logs")[0].GetString());
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal(stateAfterFirst.Select(u => u.GetRawText()), stored.Select(u => u.GetRawText()));
        Assert.Equal([1L, 2L, 3L], stored.Select(u => u.GetProperty("seq").GetInt64()));

        Assert.Equal([(1L, "e2"), (2L, "e4"), (3L, "e6")], PipelineFixture.Updates(firstPush));
        Assert.Equal(PipelineFixture.Updates(firstPush), PipelineFixture.Updates(secondPush));
        Assert.Equal(firstPush.GetProperty("epoch").GetString(), secondPush.GetProperty("epoch").GetString());
        Assert.Empty(await DeadLettersOf(channel));
    }

    [Fact]
    public async Task Stale_versions_and_duplicates_are_dropped_and_dead_lettered()
    {
        var channel = TestEvents.NewChannel();
        await fixture.IngestAsync(TestEvents.Invocation([TestEvents.Update(channel, "a", new { v = 5 }, key: "EURUSD", version: 5)], firstSequenceNumber: 0));

        var (status, _) = await fixture.IngestAsync(TestEvents.Invocation(
        [
            TestEvents.Update(channel, "b", new { v = 4 }, key: "EURUSD", version: 4),   // older: stale
            TestEvents.Update(channel, "c", new { v = 5 }, key: "EURUSD", version: 5),   // same version: stale
            TestEvents.Update(channel, "a", new { v = 5 }, key: "EURUSD", version: 5),   // same source+id, elsewhere in the hub: duplicate
            TestEvents.Update(channel, "d", new { v = 6 }, key: "EURUSD", version: 6),   // newer: stored
            TestEvents.Update(channel, "d", new { v = 6 }, key: "EURUSD", version: 6),   // twice in one batch: duplicate
            TestEvents.Update(channel, "e", new { v = 1 }, key: "GBPUSD", version: 1),   // another key: stored
        ], firstSequenceNumber: 100));

        Assert.Equal(200, status);
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal(["a", "d", "e"], stored.Select(u => u.GetProperty("id").GetString()));
        var reasons = (await DeadLettersOf(channel)).Select(e => (e.GetString("EventId"), e.GetString("Reason"))).OrderBy(r => r).ToList();
        Assert.Equal([("a", "duplicate"), ("b", "stale-version"), ("c", "stale-version"), ("d", "duplicate")], reasons);

        var latest = await fixture.GetJsonAsync($"/api/channels/{channel}/latest");
        var values = latest.GetProperty("values").EnumerateArray().ToDictionary(v => v.GetProperty("key").GetString()!);
        Assert.Equal(6, values["EURUSD"].GetProperty("version").GetInt64());
        Assert.Equal(6, values["EURUSD"].GetProperty("data").GetProperty("v").GetInt32());
        Assert.Equal(2, values["EURUSD"].GetProperty("seq").GetInt64());
        Assert.Equal(1, values["GBPUSD"].GetProperty("version").GetInt64());
    }

    private static List<(string Body, string Reason)> BadEvents(string channel) =>
    [
        ("{not json", "malformed-json"),
        ("[]", "not-an-event"),
        ("42", "not-an-event"),
        (Without(channel, "id"), "missing-attribute"),
        (Without(channel, "subject"), "missing-attribute"),
        (Without(channel, "data"), "missing-attribute"),
        (With(channel, "specversion", "0.3"), "unsupported-specversion"),
        (With(channel, "type", 7), "invalid-attribute"),
        (With(channel, "time", "yesterday"), "invalid-attribute"),
        (With(channel, "entityversion", -3), "invalid-attribute"),
        (With(channel, "entitykey", "a/b"), "invalid-attribute"),
        (With(channel, "subject", "bad channel!"), "invalid-channel"),
        (With(channel, "subject", "test." + new string('x', 200)), "invalid-channel"),
        (With(channel, "datacontenttype", "text/plain"), "data-not-json"),
        (With(channel, "data_base64", "AAEC"), "data-not-json"),
        (With(channel, "data", new string('x', PipelineFixture.MaxEventBytes)), "too-large"),
        (With(channel, "subject", "elsewhere.prices"), "channel-not-allowed"),
        (With(channel, "type", "org.other.thing"), "type-not-allowed"),
    ];

    [Fact]
    public async Task Every_kind_of_bad_event_is_dead_lettered_with_its_reason_and_the_rest_of_the_batch_goes_on()
    {
        var channel = TestEvents.NewChannel();
        var bad = BadEvents(channel);
        var bodies = new List<string> { TestEvents.Update(channel, "good-1").ToJsonString() };
        bodies.AddRange(bad.Select(b => b.Body));
        bodies.Add(TestEvents.Update(channel, "good-2").ToJsonString());
        const long firstSequenceNumber = 7000;

        var (status, body) = await fixture.IngestAsync(TestEvents.Invocation(bodies, partitionId: "3", firstSequenceNumber: firstSequenceNumber));

        Assert.Equal(200, status);
        Assert.Contains($"{bad.Count} dead-lettered", body.GetProperty("Logs")[0].GetString());
        Assert.Equal(["good-1", "good-2"], (await fixture.ReadAllAsync(channel)).Select(u => u.GetProperty("id").GetString()));

        var letters = await fixture.Table("deadletters").QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"partition-3"}")).ToListAsync();
        for (var i = 0; i < bad.Count; i++)
        {
            var sequenceNumber = firstSequenceNumber + 1 + i;
            var letter = Assert.Single(letters, e => e.GetInt64("SequenceNumber") == sequenceNumber);
            Assert.Equal(bad[i].Reason, letter.GetString("Reason"));
            Assert.False(string.IsNullOrEmpty(letter.GetString("Detail")));
            Assert.Equal("3", letter.GetString("EventHubPartition"));
            Assert.Equal((sequenceNumber * 1000).ToString(), letter.GetString("Offset"));
            Assert.NotNull(letter.GetDateTimeOffset("EnqueuedTimeUtc"));
            var kept = letter.GetString("Body");
            Assert.True(kept.Length <= 1024, "the raw body is bounded by Ingest__DeadLetterBodyBytes");
            Assert.StartsWith(kept, bad[i].Body);
        }
    }

    [Fact]
    public async Task A_batch_above_the_transaction_limit_is_stored_in_several_transactions_without_gaps()
    {
        var channel = TestEvents.NewChannel("big");
        // 2 rows per update plus key rows: 250 updates need at least 6 transactions of at most 100 operations.
        var events = Enumerable.Range(1, 250).Select(i => TestEvents.Update(channel, $"e{i}", new { i }, key: $"k{i % 7}", version: i)).ToList();
        var invocation = TestEvents.Invocation(events, firstSequenceNumber: 9000);

        var (status, _) = await fixture.IngestAsync(invocation);
        var redelivery = await fixture.IngestAsync(invocation);

        Assert.Equal(200, status);
        Assert.Equal(200, redelivery.Status);
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), stored.Select(u => u.GetProperty("seq").GetInt64()));
        Assert.Equal(Enumerable.Range(1, 250).Select(i => $"e{i}"), stored.Select(u => u.GetProperty("id").GetString()));
        var latest = await fixture.GetJsonAsync($"/api/channels/{channel}/latest");
        Assert.Equal(7, latest.GetProperty("values").GetArrayLength());
        Assert.All(latest.GetProperty("values").EnumerateArray(), v => Assert.True(v.GetProperty("version").GetInt64() > 243));
    }

    [Fact]
    public async Task Push_delivers_one_message_per_channel_per_batch_in_sequence_order()
    {
        var channels = new[] { TestEvents.NewChannel(), TestEvents.NewChannel() };
        var events = Enumerable.Range(1, 10).Select(i => TestEvents.Update(channels[i % 2], $"e{i}", new { n = i }, key: "k", version: i)).ToList();
        await using var client = await fixture.SubscribedClientAsync(channels);

        await fixture.IngestAsync(TestEvents.Invocation(events, firstSequenceNumber: 300));
        var messages = new[] { await client.NextAsync(), await client.NextAsync() }.ToDictionary(m => m.GetProperty("channel").GetString()!);

        Assert.Equal(channels.Order(), messages.Keys.Order());
        foreach (var channel in channels)
        {
            var message = messages[channel];
            Assert.Equal(["channel", "epoch", "updates"], message.EnumerateObject().Select(p => p.Name));
            Assert.Equal(32, message.GetProperty("epoch").GetString()!.Length);
            var updates = message.GetProperty("updates").EnumerateArray().ToList();
            Assert.Equal([1L, 2L, 3L, 4L, 5L], updates.Select(u => u.GetProperty("seq").GetInt64()));
            var first = updates[0];
            Assert.Equal(["seq", "id", "key", "type", "time", "data"], first.EnumerateObject().Select(p => p.Name));
            Assert.Equal("k", first.GetProperty("key").GetString());
            Assert.Equal("com.example.price.changed", first.GetProperty("type").GetString());
            Assert.Equal(DateTimeOffset.Parse("2026-11-23T10:00:00Z"), first.GetProperty("time").GetDateTimeOffset());
            Assert.Equal(channel == channels[0] ? 2 : 1, first.GetProperty("data").GetProperty("n").GetInt32());
        }

        Assert.Empty(client.Drain());
    }

    [Fact]
    public async Task A_push_that_keeps_failing_is_counted_and_does_not_fail_the_batch()
    {
        // The same storage, but a SignalR Service endpoint where nothing answers.
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString,
            $"Endpoint=http://localhost;Port={FreePort.Next()};AccessKey={fixture.SignalR.AccessKey};Version=1.0;");
        await using var app = await FunctionAppServer.StartAsync(settings);
        var channel = TestEvents.NewChannel();

        using var response = await app.Http.PostAsync("/Ingest", new StringContent(TestEvents.Invocation([TestEvents.Update(channel, "x")], firstSequenceNumber: 1)));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var health = JsonDocument.Parse(await app.Http.GetStringAsync("/api/health")).RootElement;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("1 pushes failed", body.GetProperty("Logs")[0].GetString());
        Assert.Equal(1, health.GetProperty("ingest").GetProperty("pushFailures").GetInt64());
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Single(await fixture.ReadAllAsync(channel));
    }

    [Fact]
    public async Task A_batch_that_cannot_be_stored_fails_the_invocation_so_the_host_retries()
    {
        var settings = FunctionAppServer.Settings(
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{FreePort.Next()}/{AzuriteServer.AccountName};",
            fixture.SignalR.ConnectionString);
        await using var app = await FunctionAppServer.StartAsync(settings);
        var channel = TestEvents.NewChannel();
        await using var client = await fixture.SubscribedClientAsync(channel);

        using var response = await app.Http.PostAsync("/Ingest", new StringContent(TestEvents.Invocation([TestEvents.Update(channel, "x")])));

        Assert.Equal(500, (int)response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("will be delivered again", body.GetProperty("Logs")[0].GetString());
        Assert.Empty(client.Drain());
    }

    [Fact]
    public async Task An_invocation_without_data_is_refused_with_a_problem()
    {
        var (status, body) = await fixture.IngestAsync("""{"Metadata":{}}""");

        Assert.Equal(400, status);
        Assert.Contains("Data", body.GetProperty("detail").GetString());
    }

    private async Task<List<TableEntity>> DeadLettersOf(string channel) =>
        await fixture.Table("deadletters").QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Channel eq {channel}")).ToListAsync();

    private static string Without(string channel, string attribute)
    {
        var e = TestEvents.Update(channel, Guid.NewGuid().ToString());
        e.Remove(attribute);
        return e.ToJsonString();
    }

    private static string With(string channel, string attribute, object value)
    {
        var e = TestEvents.Update(channel, Guid.NewGuid().ToString());
        e[attribute] = JsonSerializer.SerializeToNode(value);
        return e.ToJsonString();
    }
}
