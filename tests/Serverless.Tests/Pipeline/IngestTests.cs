using System.Text.Json.Nodes;
using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Contracts.Api;
using Serverless.Contracts.CloudEvents;
using Serverless.Contracts.Push;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Storage;
using Serverless.Testing;
using Serverless.Updates.Client;
using Serverless.Tooling;

namespace Serverless.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class IngestTests(PipelineFixture fixture)
{
    [Fact]
    public async Task A_batch_is_stored_in_order_and_read_back_through_the_updates_function()
    {
        var channel = TestEvents.NewChannel();
        var events = Enumerable.Range(1, 3).Select(i => TestEvents.Update(channel, $"e{i}", new { price = i })).ToList();

        var result = await fixture.IngestAsync(TestEvents.Batch(events));

        Assert.Equal((3, 3, 0, 0), (result.Events, result.Stored, result.Replayed, result.Rejected));
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal([1L, 2L, 3L], stored.Select(u => u.Seq));
        Assert.Equal(["e1", "e2", "e3"], stored.Select(u => u.Id));
        Assert.Equal(2, stored[1].Data.GetProperty("price").GetInt32());
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

        var result = await fixture.IngestAsync(TestEvents.Batch(bodies, partitionId: "1", firstSequenceNumber: 500));

        Assert.Equal(22, result.Stored);
        for (var c = 0; c < 4; c++)
        {
            var stored = await fixture.ReadAllAsync(channels[c]);
            var expectedIds = Enumerable.Range(0, 20).Where(i => i % 4 == c).Select(i => $"e{i}").ToList();
            if (c < 2)
            {
                expectedIds.Add(c == 0 ? "array-a" : "array-b");
            }

            Assert.Equal(expectedIds, stored.Select(u => u.Id));
            Assert.Equal(Enumerable.Range(1, expectedIds.Count).Select(i => (long)i), stored.Select(u => u.Seq));
        }
    }

    /// <summary>
    /// Two workers on one channel, each keeping what it last wrote (as after a partition moved between instances):
    /// each one's cached head goes stale when the other writes, its commit fails on the head's ETag, and it reads the
    /// channel again. Nothing is lost, nothing numbered twice, and the stale versions are still caught.
    /// </summary>
    [Fact]
    public async Task A_worker_whose_known_head_went_stale_reads_the_channel_again_and_numbers_on_from_the_other()
    {
        var channel = TestEvents.NewChannel();
        await using var other = new InProcessIngest(fixture.Settings);
        var workers = new[] { fixture.Ingest, other };

        for (var round = 0; round < 6; round++)
        {
            var events = Enumerable.Range(0, 3).Select(i => TestEvents.Update(channel, $"r{round}-{i}", key: $"k{i}", version: round * 10 + i + 1));
            var result = await workers[round % 2].RunAsync(TestEvents.Batch([.. events], firstSequenceNumber: round * 3));
            Assert.Equal(3, result.Stored);
        }

        var stale = await workers[0].RunAsync(TestEvents.Batch([TestEvents.Update(channel, "late", key: "k0", version: 5)], firstSequenceNumber: 100));
        var stored = await fixture.ReadAllAsync(channel);

        Assert.Equal(Enumerable.Range(1, 18).Select(i => (long)i), stored.Select(u => u.Seq));
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(r => Enumerable.Range(0, 3).Select(i => $"r{r}-{i}")), stored.Select(u => u.Id));
        Assert.Equal((0, 1), (stale.Stored, stale.Rejected));
    }

    [Fact]
    public async Task Channels_of_one_bucket_are_stored_together_and_one_that_met_another_writer_holds_back_none_of_the_others()
    {
        // Six channels of one bucket, so that the worker's batches commit them in shared transactions.
        var bucket = ChannelRows.BucketOf(TestEvents.NewChannel());
        var channels = Enumerable.Range(0, 2000).Select(_ => TestEvents.NewChannel()).Where(c => ChannelRows.BucketOf(c) == bucket).Take(6).ToList();
        Assert.Equal(6, channels.Count);
        await using var other = new InProcessIngest(fixture.Settings);
        IEnumerable<JsonObject> Round(string name, int count) =>
            Enumerable.Range(0, count).SelectMany(i => channels.Select(c => TestEvents.Update(c, $"{name}-{i}", key: $"k{i}")));

        var first = await fixture.Ingest.RunAsync(TestEvents.Batch([.. Round("a", 3)], firstSequenceNumber: 0));
        // Another worker stores in the first channel: the head this worker knows of it is stale from now on.
        await other.RunAsync(TestEvents.Batch([TestEvents.Update(channels[0], "other")], firstSequenceNumber: 100));
        var second = await fixture.Ingest.RunAsync(TestEvents.Batch([.. Round("b", 2)], firstSequenceNumber: 200));

        Assert.Equal((18, 12), (first.Stored, second.Stored));
        var logs = await Task.WhenAll(channels.Select(fixture.ReadAllAsync));
        Assert.Equal(["a-0", "a-1", "a-2", "other", "b-0", "b-1"], logs[0].Select(u => u.Id));
        Assert.All(logs.Skip(1), log => Assert.Equal(["a-0", "a-1", "a-2", "b-0", "b-1"], log.Select(u => u.Id)));
        Assert.All(logs, log => Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(u => u.Seq)));
    }

    [Fact]
    public async Task A_worker_that_does_not_know_a_channel_stores_nothing_twice_and_checks_versions_against_storage()
    {
        var channel = TestEvents.NewChannel();
        var quiet = TestEvents.NewChannel();
        await fixture.Ingest.RunAsync(TestEvents.Batch([TestEvents.Update(channel, "a1", key: "k", version: 5), TestEvents.Update(quiet, "q1")], firstSequenceNumber: 0));
        // A worker that never saw either channel: a redelivery of the first batch, a stale version and a new update.
        await using var fresh = new InProcessIngest(fixture.Settings);

        var redelivered = await fresh.RunAsync(TestEvents.Batch([TestEvents.Update(channel, "a1", key: "k", version: 5), TestEvents.Update(quiet, "q1")], firstSequenceNumber: 0));
        var stale = await fresh.RunAsync(TestEvents.Batch([TestEvents.Update(channel, "a2", key: "k", version: 3)], firstSequenceNumber: 10));
        var next = await fresh.RunAsync(TestEvents.Batch([TestEvents.Update(channel, "a3", key: "k", version: 6), TestEvents.Update(TestEvents.NewChannel(), "n1")], firstSequenceNumber: 20));

        Assert.Equal((0, 2), (redelivered.Stored, redelivered.Replayed + redelivered.Skipped));
        Assert.Equal((0, 1), (stale.Stored, stale.Rejected));
        Assert.Equal(2, next.Stored);
        Assert.Equal(["a1", "a3"], (await fixture.ReadAllAsync(channel)).Select(u => u.Id));
        Assert.Equal(["q1"], (await fixture.ReadAllAsync(quiet)).Select(u => u.Id));
    }

    [Fact]
    public async Task A_channel_reset_under_a_worker_that_knew_it_starts_a_new_epoch_in_the_same_invocation()
    {
        var channel = TestEvents.NewChannel();
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(channel, "old-1"), TestEvents.Update(channel, "old-2")]));
        var before = await fixture.GetAsync<UpdatesPage>(ApiRoutes.Updates(channel, 0, 10));
        var table = fixture.Table(fixture.Settings.GetValueOrDefault(SettingNames.UpdatesTable) ?? SettingDefaults.UpdatesTable);
        await ChannelReset.DeleteRowsAsync(table, channel);

        var result = await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(channel, "new-1")], firstSequenceNumber: 10));
        var after = await fixture.GetAsync<UpdatesPage>(ApiRoutes.Updates(channel, 0, 10));

        Assert.Equal(1, result.Stored);
        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.Equal([(1L, "new-1")], after.Updates.Select(u => (u.Seq, u.Id)));
    }

    [Fact]
    public async Task Redelivered_batch_stores_nothing_twice_and_is_pushed_again_with_the_same_sequences()
    {
        var channel = TestEvents.NewChannel();
        var other = TestEvents.NewChannel();
        var events = Enumerable.Range(1, 6).Select(i => TestEvents.Update(i % 2 == 0 ? channel : other, $"e{i}", key: $"k{i % 3}", version: i)).ToList();
        var batch = TestEvents.Batch(events, partitionId: "2", firstSequenceNumber: 40);
        await using var client = await fixture.SubscribedClientAsync(channel);

        var first = await fixture.IngestAsync(batch);
        var stateAfterFirst = await fixture.ReadAllAsync(channel);
        var firstPush = await client.NextAsync();
        var again = await fixture.IngestAsync(batch);
        var secondPush = await client.NextAsync();

        Assert.Equal((6, 0), (first.Stored, first.Replayed));
        Assert.Equal((0, 6), (again.Stored, again.Replayed));
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal(stateAfterFirst.Select(u => JsonSerializer.Serialize(u)), stored.Select(u => JsonSerializer.Serialize(u)));
        Assert.Equal([1L, 2L, 3L], stored.Select(u => u.Seq));

        Assert.Equal([(1L, "e2"), (2L, "e4"), (3L, "e6")], PipelineFixture.Updates(firstPush));
        Assert.Equal(PipelineFixture.Updates(firstPush), PipelineFixture.Updates(secondPush));
        Assert.Equal(firstPush.Epoch, secondPush.Epoch);
        Assert.Empty(await DeadLettersOf(channel));
    }

    [Fact]
    public async Task A_batch_redelivered_after_the_dedup_window_moved_on_is_known_by_its_place_and_stores_nothing()
    {
        var channel = TestEvents.NewChannel();
        var first = TestEvents.Batch(Enumerable.Range(1, PipelineFixture.DedupWindow).Select(i => TestEvents.Update(channel, $"a{i}")).ToList(), firstSequenceNumber: 100);
        await fixture.IngestAsync(first);
        await fixture.IngestAsync(TestEvents.Batch(Enumerable.Range(1, PipelineFixture.DedupWindow).Select(i => TestEvents.Update(channel, $"b{i}")).ToList(),
            firstSequenceNumber: 100 + PipelineFixture.DedupWindow));
        var before = await fixture.ReadAllAsync(channel);

        // The host lost its checkpoints, say, and reads the partition again from the first batch.
        var again = await fixture.IngestAsync(first);

        Assert.Equal((0, 0, PipelineFixture.DedupWindow), (again.Stored, again.Replayed, again.Skipped));
        Assert.Equal(before.Select(u => (u.Seq, u.Id)), (await fixture.ReadAllAsync(channel)).Select(u => (u.Seq, u.Id)));
        Assert.Equal(2 * PipelineFixture.DedupWindow, before.Count);
        Assert.Empty(await DeadLettersOf(channel));
    }

    [Fact]
    public async Task Events_sent_again_by_a_publisher_are_stored_once_pushed_again_and_not_dead_lettered()
    {
        var channel = TestEvents.NewChannel();
        var events = Enumerable.Range(1, 3).Select(i => TestEvents.Update(channel, $"r{i}", new { v = i }, key: "k", version: i)).ToList();
        await using var client = await fixture.SubscribedClientAsync(channel);
        await fixture.IngestAsync(TestEvents.Batch(events, firstSequenceNumber: 10));
        var firstPush = await client.NextAsync();

        // The publisher never heard back and sends the same events again: they land later in the hub.
        var again = await fixture.IngestAsync(TestEvents.Batch([.. events, TestEvents.Update(channel, "r4", new { v = 4 }, key: "k", version: 4)], firstSequenceNumber: 20));
        var secondPush = await client.NextAsync();

        Assert.Equal((1, 3, 0), (again.Stored, again.Replayed, again.Rejected));
        Assert.Equal(["r1", "r2", "r3", "r4"], (await fixture.ReadAllAsync(channel)).Select(u => u.Id));
        Assert.Equal([(1L, "r1"), (2L, "r2"), (3L, "r3")], PipelineFixture.Updates(firstPush));
        Assert.Equal([(1L, "r1"), (2L, "r2"), (3L, "r3"), (4L, "r4")], PipelineFixture.Updates(secondPush));
        Assert.Empty(await DeadLettersOf(channel));
    }

    [Fact]
    public async Task Stale_versions_and_duplicates_are_dropped_and_dead_lettered()
    {
        var channel = TestEvents.NewChannel();
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(channel, "a", new { v = 5 }, key: "EURUSD", version: 5)], firstSequenceNumber: 0));

        var result = await fixture.IngestAsync(TestEvents.Batch(
        [
            TestEvents.Update(channel, "b", new { v = 4 }, key: "EURUSD", version: 4),   // older: stale
            TestEvents.Update(channel, "c", new { v = 5 }, key: "EURUSD", version: 5),   // same version: stale
            TestEvents.Update(channel, "a", new { v = 7 }, key: "EURUSD", version: 7),   // same source+id, other content: duplicate
            TestEvents.Update(channel, "d", new { v = 6 }, key: "EURUSD", version: 6),   // newer: stored
            TestEvents.Update(channel, "d", new { v = 8 }, key: "EURUSD", version: 8),   // again in one batch, other content: duplicate
            TestEvents.Update(channel, "e", new { v = 1 }, key: "GBPUSD", version: 1),   // another key: stored
        ], firstSequenceNumber: 100));

        Assert.Equal((2, 4), (result.Stored, result.Rejected));
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal(["a", "d", "e"], stored.Select(u => u.Id));
        var reasons = (await DeadLettersOf(channel)).Select(e => (e.GetString("EventId"), e.GetString("Reason"))).OrderBy(r => r).ToList();
        Assert.Equal([("a", RejectionReason.Duplicate), ("b", RejectionReason.StaleVersion), ("c", RejectionReason.StaleVersion), ("d", RejectionReason.Duplicate)], reasons);

        var latest = await UpdatesApi.ReadLatestAsync(fixture.Http, channel);
        var values = latest.Values.ToDictionary(v => v.Key);
        Assert.Equal(6, values["EURUSD"].Version);
        Assert.Equal(6, values["EURUSD"].Data.GetProperty("v").GetInt32());
        Assert.Equal(2, values["EURUSD"].Seq);
        Assert.Equal(1, values["GBPUSD"].Version);
    }

    private static List<(string Body, string Reason)> BadEvents(string channel) =>
    [
        ("{not json", RejectionReason.MalformedJson),
        ("[]", RejectionReason.NotAnEvent),
        ("42", RejectionReason.NotAnEvent),
        (Without(channel, UpdateAttributes.Id), RejectionReason.MissingAttribute),
        (Without(channel, UpdateAttributes.Channel), RejectionReason.MissingAttribute),
        (Without(channel, UpdateAttributes.Data), RejectionReason.MissingAttribute),
        (With(channel, UpdateAttributes.SpecVersion, "0.3"), RejectionReason.UnsupportedSpecVersion),
        (With(channel, UpdateAttributes.Type, 7), RejectionReason.InvalidAttribute),
        (With(channel, UpdateAttributes.Time, "yesterday"), RejectionReason.InvalidAttribute),
        (With(channel, UpdateAttributes.EntityVersion, -3), RejectionReason.InvalidAttribute),
        (With(channel, UpdateAttributes.EntityKey, "a/b"), RejectionReason.InvalidAttribute),
        (With(channel, UpdateAttributes.Channel, "bad channel!"), RejectionReason.InvalidChannel),
        (With(channel, UpdateAttributes.Channel, "test." + new string('x', 200)), RejectionReason.InvalidChannel),
        (With(channel, UpdateAttributes.DataContentType, "text/plain"), RejectionReason.DataNotJson),
        (With(channel, UpdateAttributes.DataBase64, "AAEC"), RejectionReason.DataNotJson),
        (With(channel, UpdateAttributes.Data, new string('x', PipelineFixture.MaxEventBytes)), RejectionReason.TooLarge),
        (With(channel, UpdateAttributes.Channel, "elsewhere.prices"), RejectionReason.ChannelNotAllowed),
        (With(channel, UpdateAttributes.Type, "org.other.thing"), RejectionReason.TypeNotAllowed),
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

        var result = await fixture.IngestAsync(TestEvents.Batch(bodies, partitionId: "3", firstSequenceNumber: firstSequenceNumber));

        Assert.Equal((2, bad.Count), (result.Stored, result.Rejected));
        Assert.Equal(["good-1", "good-2"], (await fixture.ReadAllAsync(channel)).Select(u => u.Id));

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
        // A log row per update, key rows and the head: 250 updates need at least 3 transactions of at most 100 operations.
        var events = Enumerable.Range(1, 250).Select(i => TestEvents.Update(channel, $"e{i}", new { i }, key: $"k{i % 7}", version: i)).ToList();
        var batch = TestEvents.Batch(events, firstSequenceNumber: 9000);

        var first = await fixture.IngestAsync(batch);
        var redelivery = await fixture.IngestAsync(batch);

        Assert.Equal(250, first.Stored);
        // The last ones are among the recent events and pushed again; the others are known by their place.
        Assert.Equal((0, PipelineFixture.DedupWindow, 250 - PipelineFixture.DedupWindow), (redelivery.Stored, redelivery.Replayed, redelivery.Skipped));
        var stored = await fixture.ReadAllAsync(channel);
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), stored.Select(u => u.Seq));
        Assert.Equal(Enumerable.Range(1, 250).Select(i => $"e{i}"), stored.Select(u => u.Id));
        var latest = await UpdatesApi.ReadLatestAsync(fixture.Http, channel);
        Assert.Equal(7, latest.Values.Count);
        Assert.All(latest.Values, v => Assert.True(v.Version > 243));
    }

    /// <summary>
    /// 45 keys are more than a head keeps pending (pipeline/Storage/PendingValues.cs): two batches of 40 keys are written
    /// out as key rows, and the last batch's 10 stay pending in the head, later than their rows. Reading them a small page at
    /// a time gives every key once, with its latest value.
    /// </summary>
    [Fact]
    public async Task Latest_values_from_key_rows_and_the_head_come_once_each_page_by_page()
    {
        var channel = TestEvents.NewChannel();
        static string KeyOf(int n) => $"k{n * 7 % 45:D2}";
        for (var round = 0; round < 3; round++)
        {
            var events = Enumerable.Range(round * 40 + 1, round < 2 ? 40 : 10).Select(n => TestEvents.Update(channel, $"e{n}", new { n }, key: KeyOf(n), version: n));
            await fixture.IngestAsync(TestEvents.Batch([.. events], firstSequenceNumber: 20_000 + round * 100));
        }

        var seen = new List<(string Key, long? Version)>();
        string? after = null;
        do
        {
            var page = await UpdatesApi.ReadLatestAsync(fixture.Http, channel, after, limit: 7);
            seen.AddRange(page.Values.Select(v => (v.Key, v.Version)));
            after = page.Next;
        }
        while (after is not null && seen.Count < 100);

        var expected = Enumerable.Range(1, 90).GroupBy(KeyOf).Select(g => (g.Key, (long?)g.Max())).OrderBy(v => v.Key, StringComparer.Ordinal);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Push_delivers_one_message_per_channel_per_batch_in_sequence_order()
    {
        var channels = new[] { TestEvents.NewChannel(), TestEvents.NewChannel() };
        var events = Enumerable.Range(1, 10).Select(i => TestEvents.Update(channels[i % 2], $"e{i}", new { n = i }, key: "k", version: i)).ToList();
        await using var client = await fixture.SubscribedClientAsync(channels);
        var wire = client.Listen(UpdateMessage.Target);

        await fixture.IngestAsync(TestEvents.Batch(events, firstSequenceNumber: 300));
        var messages = new Dictionary<string, JsonElement>();
        for (var i = 0; i < 2; i++)
        {
            var message = await wire.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            messages[message.GetProperty("channel").GetString()!] = message;
        }

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

        // The same two messages reached the typed queue, and nothing else came.
        Assert.Equal(channels.Order(), client.Drain().Select(m => m.Channel).Order());
    }

    [Fact]
    public async Task A_push_that_keeps_failing_is_counted_and_does_not_fail_the_batch()
    {
        // The same storage, but a SignalR Service endpoint where nothing answers.
        var settings = new Dictionary<string, string?>(fixture.Settings)
        {
            [SettingNames.SignalRConnection] = $"Endpoint=http://localhost;Port={LoopbackPorts.Free()};AccessKey={fixture.SignalR.AccessKey};Version=1.0;",
            [SettingNames.SignalRPushAttempts] = "1",
        };
        await using var ingest = new InProcessIngest(settings);
        var channel = TestEvents.NewChannel();

        var result = await ingest.RunAsync(TestEvents.Batch([TestEvents.Update(channel, "x")], firstSequenceNumber: 1));

        Assert.Equal((1, 1), (result.Stored, result.PushFailures));
        Assert.Equal(1, ingest.Metrics.Totals.PushFailures);
        Assert.Single(await fixture.ReadAllAsync(channel));
    }

    [Fact]
    public async Task A_batch_that_cannot_be_stored_throws_so_that_the_invocation_fails_and_is_retried()
    {
        var settings = new Dictionary<string, string?>(fixture.Settings)
        {
            [SettingNames.Storage] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{LoopbackPorts.Free()}/{AzuriteServer.AccountName};",
        };
        await using var ingest = new InProcessIngest(settings);
        var channel = TestEvents.NewChannel();
        await using var client = await fixture.SubscribedClientAsync(channel);

        await Assert.ThrowsAnyAsync<Exception>(() => ingest.RunAsync(TestEvents.Batch([TestEvents.Update(channel, "x")])));

        Assert.Empty(client.Drain());
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
