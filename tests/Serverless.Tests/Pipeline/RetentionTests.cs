using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Retention;
using Serverless.Pipeline.Storage;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests.Pipeline;

/// <summary>
/// Compaction (docs/retention.md) on a real Azurite, read back through the real worker: the log is trimmed by count and
/// by age, every key keeps its latest value, the head says where the log begins, <c>/updates</c> below it answers 410,
/// and compaction beside ingestion, or two compactions at once, lose nothing that is kept.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class RetentionTests(PipelineFixture fixture)
{
    private Compactor Compactor => fixture.Ingest.Compactor;

    [Fact]
    public async Task Retention_by_count_keeps_the_last_updates_and_every_keys_latest_value()
    {
        var channel = TestEvents.NewChannel();
        // Key "early" moves only in the first five updates, so its latest value is among what is trimmed.
        await StoreAsync(channel, Enumerable.Range(1, 30).Select(i => TestEvents.Update(channel, $"e{i}", new { i }, key: i <= 5 ? "early" : $"k{i % 3}", version: i)));

        var deleted = await Compactor.CompactChannelAsync(channel, new RetentionRule(10, TimeSpan.Zero), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(20, deleted);
        Assert.Equal(21, (await HeadAsync(channel)).FirstRetained);
        var kept = await UpdatesApi.ReadPageAsync(fixture.Http, channel, 20, 100);
        Assert.Equal(Enumerable.Range(21, 10).Select(i => (long)i), kept.Updates.Select(u => u.Seq));
        Assert.Equal(10, await LogRowsAsync(channel));
        var latest = await UpdatesApi.ReadLatestAsync(fixture.Http, channel);
        Assert.Equal([("early", 5L), ("k0", 30L), ("k1", 28L), ("k2", 29L)], latest.Values.Select(v => (v.Key, v.Seq)));
        Assert.Equal(5, latest.Values[0].Data.GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task Updates_below_the_retained_log_answer_410_with_the_first_kept_sequence_number()
    {
        var channel = TestEvents.NewChannel();
        await StoreAsync(channel, Enumerable.Range(1, 12).Select(i => TestEvents.Update(channel, $"e{i}")));
        await Compactor.CompactChannelAsync(channel, new RetentionRule(4, TimeSpan.Zero), DateTimeOffset.UtcNow, CancellationToken.None);

        using var gone = await fixture.Http.GetAsync(ApiRoutes.Updates(channel, 7, 100));
        using var first = await fixture.Http.GetAsync(ApiRoutes.Updates(channel, 8, 100));

        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await gone.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(9, problem.GetProperty(HistoryTrimmed.FirstRetainedProperty).GetInt64());
        Assert.Contains("#9", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    [Fact]
    public async Task Retention_by_age_trims_what_was_stored_before_the_cutoff()
    {
        var channel = TestEvents.NewChannel();
        await StoreAsync(channel, Enumerable.Range(1, 5).Select(i => TestEvents.Update(channel, $"old{i}", key: "a", version: i)));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await StoreAsync(channel, Enumerable.Range(6, 3).Select(i => TestEvents.Update(channel, $"new{i}", key: "b", version: i)), firstSequenceNumber: 100);
        var secondStoredAt = (await HeadEntityAsync(channel)).Timestamp!.Value;

        // A second of age, as seen half a second after the second batch: the first batch, 1.5 s older, is past it.
        var deleted = await Compactor.CompactChannelAsync(channel, new RetentionRule(0, TimeSpan.FromSeconds(1)), secondStoredAt.AddSeconds(0.5), CancellationToken.None);

        Assert.Equal(5, deleted);
        Assert.Equal(6, (await HeadAsync(channel)).FirstRetained);
        Assert.Equal([6L, 7L, 8L], (await UpdatesApi.ReadPageAsync(fixture.Http, channel, 5, 100)).Updates.Select(u => u.Seq));
        var latest = await UpdatesApi.ReadLatestAsync(fixture.Http, channel);
        Assert.Equal([("a", 5L), ("b", 8L)], latest.Values.Select(v => (v.Key, v.Seq)));
    }

    [Fact]
    public async Task A_channel_whose_every_update_is_past_its_age_keeps_its_head_and_latest_values()
    {
        var channel = TestEvents.NewChannel();
        await StoreAsync(channel, Enumerable.Range(1, 4).Select(i => TestEvents.Update(channel, $"e{i}", key: "only", version: i)));

        await Compactor.CompactChannelAsync(channel, new RetentionRule(0, TimeSpan.FromMinutes(1)), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);

        var head = await HeadAsync(channel);
        Assert.Equal((5L, 4L), (head.FirstRetained, head.LastSequence));
        Assert.Equal(0, await LogRowsAsync(channel));
        var page = await UpdatesApi.ReadPageAsync(fixture.Http, channel, 4, 100);
        Assert.Equal((4L, 0), (page.Head, page.Updates.Count));
        Assert.Equal(4, Assert.Single((await UpdatesApi.ReadLatestAsync(fixture.Http, channel)).Values).Seq);
    }

    [Fact]
    public async Task Ingestion_beside_compaction_keeps_every_retained_update_in_order_and_two_compactions_do_no_harm()
    {
        var channels = Enumerable.Range(0, 3).Select(_ => TestEvents.NewChannel()).ToArray();
        const int Batches = 30;
        const int PerChannel = 4;
        var rule = new RetentionRule(25, TimeSpan.Zero);
        using var done = new CancellationTokenSource();

        var ingesting = Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                var events = channels.SelectMany(c => Enumerable.Range(0, PerChannel).Select(i => TestEvents.Update(c, $"b{b}-{i}", new { b, i }, key: $"k{i}", version: b)));
                await fixture.IngestAsync(TestEvents.Batch(events.ToList(), firstSequenceNumber: 10_000 + b * 100));
            }
        });
        // Two compactions at once, again and again, while the batches go in.
        var compacting = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!ingesting.IsCompleted)
            {
                foreach (var channel in channels)
                {
                    await Compactor.CompactChannelAsync(channel, rule, DateTimeOffset.UtcNow, CancellationToken.None);
                }
            }
        })).ToList();
        await ingesting;
        await Task.WhenAll(compacting);
        foreach (var channel in channels)
        {
            await Compactor.CompactChannelAsync(channel, rule, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        foreach (var channel in channels)
        {
            var head = await HeadAsync(channel);
            Assert.Equal(Batches * PerChannel, head.LastSequence);
            Assert.Equal(head.LastSequence - rule.MaxUpdates + 1, head.FirstRetained);
            var kept = (await UpdatesApi.ReadPageAsync(fixture.Http, channel, head.FirstRetained - 1, 1000)).Updates;
            Assert.Equal(Enumerable.Range((int)head.FirstRetained, (int)rule.MaxUpdates).Select(i => (long)i), kept.Select(u => u.Seq));
            // Sequence n is the n-th event sent to the channel: batch (n-1)/4, event (n-1)%4.
            Assert.All(kept, u => Assert.Equal($"b{(u.Seq - 1) / PerChannel}-{(u.Seq - 1) % PerChannel}", u.Id));
            Assert.Equal(rule.MaxUpdates, await LogRowsAsync(channel));
            var latest = await UpdatesApi.ReadLatestAsync(fixture.Http, channel);
            Assert.Equal(Enumerable.Range(0, PerChannel).Select(i => $"k{i}"), latest.Values.Select(v => v.Key));
            Assert.All(latest.Values, v => Assert.Equal(Batches - 1, v.Version));
        }
    }

    [Fact]
    public async Task The_dotnet_follower_meets_a_trimmed_log_by_going_on_from_the_latest_values()
    {
        var channel = TestEvents.NewChannel();
        await StoreAsync(channel, Enumerable.Range(1, 10).Select(i => TestEvents.Update(channel, $"e{i}", key: $"k{i % 2}", version: i)));
        await Compactor.CompactChannelAsync(channel, new RetentionRule(3, TimeSpan.Zero), DateTimeOffset.UtcNow, CancellationToken.None);
        var trimmed = new List<(long First, long Head)>();
        var follower = new ChannelFollower(channel, UpdatesApi.PageReader(fixture.Http), readLatest: UpdatesApi.LatestReader(fixture.Http),
            onTrimmed: (first, latest) => trimmed.Add((first, latest.Head)));

        await follower.StartAsync(null, 0, 10);

        Assert.Equal([(8L, 10L)], trimmed);
        Assert.Equal(10, follower.Last);
        Assert.Empty(follower.Applied);
    }

    [Fact]
    public async Task Dead_letters_past_their_age_are_deleted_and_younger_ones_kept()
    {
        await fixture.IngestAsync(TestEvents.Batch(["not json at all"], partitionId: "1", firstSequenceNumber: 777_000));
        var table = fixture.Table(fixture.Settings.GetValueOrDefault(SettingNames.DeadLettersTable) ?? SettingDefaults.DeadLettersTable);
        var before = await CountAsync(table);
        Assert.True(before > 0);

        // Dead letters stored before now + 1 h, with an age of 30 minutes: everything so far.
        var options = new RetentionOptions { DeadLetterMaxAge = TimeSpan.FromMinutes(30), MaxUpdates = 0, MaxAge = TimeSpan.Zero };
        var result = await TestCompactor.For(fixture.Azurite.ConnectionString, options, new ShiftedTime(TimeSpan.FromHours(1))).RunAsync(CancellationToken.None);

        Assert.Equal(before, result.DeadLettersDeleted);
        Assert.Equal(0, await CountAsync(table));
    }

    private async Task StoreAsync(string channel, IEnumerable<System.Text.Json.Nodes.JsonObject> events, long firstSequenceNumber = 0)
    {
        var result = await fixture.IngestAsync(TestEvents.Batch(events.ToList(), firstSequenceNumber: firstSequenceNumber));
        Assert.Equal(0, result.Rejected);
    }

    private async Task<ChannelHead> HeadAsync(string channel) => UpdateRows.ReadHead(await HeadEntityAsync(channel));

    private async Task<TableEntity> HeadEntityAsync(string channel)
    {
        var rows = new ChannelRows(channel);
        return (await fixture.Table(fixture.Settings.GetValueOrDefault(SettingNames.UpdatesTable) ?? SettingDefaults.UpdatesTable).GetEntityAsync<TableEntity>(rows.Partition, rows.Head)).Value;
    }

    private async Task<int> LogRowsAsync(string channel)
    {
        var rows = new ChannelRows(channel);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {rows.Partition} and RowKey ge {rows.Start} and RowKey lt {rows.Log(long.MaxValue / 10)}");
        var count = 0;
        await foreach (var _ in fixture.Table(fixture.Settings.GetValueOrDefault(SettingNames.UpdatesTable) ?? SettingDefaults.UpdatesTable).QueryAsync<TableEntity>(filter, select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    private static async Task<int> CountAsync(TableClient table)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    /// <summary>The clock an hour ahead: what a compaction an hour from now sees.</summary>
    private sealed class ShiftedTime(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }
}
