using System.Text.Json;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Ingest;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Storage;

namespace Serverless.Tests.Core;

public sealed class BatchingTests
{
    private static SequencedUpdate Entry(long sequence, string? key = null, int dataBytes = 10) => new(sequence, new Update
    {
        Channel = "c",
        Id = $"id{sequence}",
        Source = "s",
        Type = "t",
        Key = key,
        Data = JsonDocument.Parse(JsonSerializer.Serialize(new string('x', dataBytes))).RootElement,
        Origin = new EventOrigin("0", sequence, null, null, null, 0, 0),
        Size = dataBytes + 100,
    });

    [Fact]
    public void Transactions_stay_within_100_operations_counting_rows_keys_and_the_head()
    {
        var entries = Enumerable.Range(1, 500).Select(i => Entry(i, key: $"k{i % 40}")).ToList();

        var chunks = UpdateLog.Chunks(entries, recentEvents: 1000);

        Assert.Equal(entries, chunks.SelectMany(c => c));
        Assert.All(chunks, chunk =>
            Assert.InRange(chunk.Length + chunk.Select(e => e.Update.Key).Distinct().Count() + 1, 1, UpdateLog.MaxTransactionOperations));
        // A transaction holds 59 of these updates: 59 log rows, 40 key rows and the head. No more transactions than that needs.
        Assert.Equal((int)Math.Ceiling(entries.Count / 59.0), chunks.Count);
    }

    [Fact]
    public void Large_updates_split_transactions_before_the_size_limit()
    {
        var entries = Enumerable.Range(1, 40).Select(i => Entry(i, dataBytes: 60_000)).ToList();

        var chunks = UpdateLog.Chunks(entries, recentEvents: RecentEvents.MaxCapacity);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, chunk => Assert.True(chunk.Sum(e => e.Update.Size) * 4 / 3 + RecentEvents.MaxCapacity * RecentEvents.EntryBytes * 4 / 3 < 4 * 1024 * 1024));
    }

    [Fact]
    public void Push_bodies_stay_under_the_rest_limit_and_keep_every_update_in_order()
    {
        var entries = Enumerable.Range(1, 60).Select(i => Entry(i, dataBytes: 50_000)).ToList();

        var bodies = UpdatePusher.Bodies("c", "epoch", entries).ToList();

        Assert.True(bodies.Count > 1);
        Assert.All(bodies, body => Assert.True(body.Length <= 1_000_000));
        var sequences = bodies.SelectMany(body => JsonDocument.Parse(body).RootElement.GetProperty("arguments")[0].GetProperty("updates").EnumerateArray())
            .Select(u => u.GetProperty("seq").GetInt64());
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), sequences);
    }

    [Fact]
    public void A_small_batch_is_one_push()
    {
        var body = Assert.Single(UpdatePusher.Bodies("c", "e", [Entry(1), Entry(2)]));
        var message = JsonDocument.Parse(body).RootElement;

        Assert.Equal("updates", message.GetProperty("target").GetString());
        Assert.Equal("c", message.GetProperty("arguments")[0].GetProperty("channel").GetString());
        Assert.Equal("e", message.GetProperty("arguments")[0].GetProperty("epoch").GetString());
    }
}
