using System.Text.Json;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Ingest;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Storage;

namespace Serverless.UnitTests.Pipeline;

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

    private static readonly ChannelHead NewHead = new(0, "epoch");

    [Fact]
    public void Transactions_stay_within_100_operations_counting_rows_written_out_keys_and_the_head()
    {
        var entries = Enumerable.Range(1, 500).Select(i => Entry(i, key: $"k{i % 40}")).ToList();

        var transactions = LogTransactions.Plan(NewHead, entries, recentEvents: 1000);

        Assert.Equal(entries, transactions.SelectMany(t => t.Updates));
        Assert.All(transactions, t => Assert.InRange(t.Updates.Count + t.KeyRows.Count + 1, 1, LogTransactions.MaxOperations));
        // 40 keys are more than a head keeps pending: they are written out, and no transaction stays far below its room.
        Assert.Contains(transactions, t => t.KeyRows.Count > 0);
        // From the first write-out on, the head says the channel has key rows; before it, every key is in the head.
        var firstWriteOut = transactions.FindIndex(t => t.KeyRows.Count > 0);
        Assert.All(transactions.Take(firstWriteOut), t => Assert.False(t.Head.HasKeyRows));
        Assert.All(transactions.Skip(firstWriteOut), t => Assert.True(t.Head.HasKeyRows));
        Assert.True(transactions.Count <= (int)Math.Ceiling(entries.Count / 59.0), $"{transactions.Count} transactions");
    }

    [Fact]
    public void A_buckets_channels_share_transactions_within_the_limits_and_a_channels_later_transactions_come_in_its_buckets_later_rounds()
    {
        // 300 channels of a few updates each, and one with 250: the wide shape with a hot channel in it.
        var channels = Enumerable.Range(0, 300).Select(i => (Name: $"c{i}", Updates: i == 7 ? 250 : 1 + i % 3))
            .Select(c => (Rows: new ChannelRows(c.Name), Transactions: (IReadOnlyList<LogTransaction>)LogTransactions.Plan(NewHead, [.. Enumerable.Range(1, c.Updates).Select(s => Entry(s, key: $"k{s % 4}"))], recentEvents: 1000)))
            .ToList();

        var buckets = BucketTransactions.Plan(channels);

        var all = buckets.SelectMany(b => b.Rounds.SelectMany((round, r) => round.SelectMany(t => t.Steps.Select(step => (Round: r, b.Partition, t, Step: step))))).ToList();
        Assert.All(all, x => Assert.Equal((x.Partition, x.Partition), (x.t.Partition, x.Step.Rows.Partition)));
        Assert.All(buckets.SelectMany(b => b.Rounds.SelectMany(round => round)), t =>
        {
            Assert.InRange(t.Operations, 1, LogTransactions.MaxOperations);
            Assert.True(t.Steps.Sum(s => s.Transaction.Bytes) <= LogTransactions.MaxBytes);
            Assert.Equal(t.Steps.Count, t.Steps.Select(s => s.Rows.Channel).Distinct().Count());
        });
        // Every channel's transactions, each once, in order, one round of its bucket apart.
        foreach (var (rows, transactions) in channels)
        {
            var steps = all.Where(x => x.Step.Rows.Channel == rows.Channel).ToList();
            Assert.Equal(transactions, steps.Select(x => x.Step.Transaction));
            Assert.Equal(Enumerable.Range(0, transactions.Count), steps.Select(x => x.Round));
        }

        // The 299 small channels fill their buckets' transactions instead of taking one each.
        var first = buckets.Sum(b => b.Rounds[0].Count);
        Assert.True(first <= ChannelRows.Buckets + 299 * 4 / LogTransactions.MaxOperations + 1, $"{first} transactions in the first round");
    }

    [Fact]
    public void Large_updates_split_transactions_before_the_size_limit()
    {
        var entries = Enumerable.Range(1, 40).Select(i => Entry(i, dataBytes: 60_000)).ToList();

        var transactions = LogTransactions.Plan(NewHead, entries, recentEvents: RecentEvents.MaxCapacity);

        Assert.True(transactions.Count > 1);
        Assert.All(transactions, t => Assert.True(t.Updates.Sum(e => e.Update.Size) * 4 / 3 + RecentEvents.MaxCapacity * RecentEvents.EntryBytes * 4 / 3 < 4 * 1024 * 1024));
    }

    [Fact]
    public void A_channel_with_a_few_keys_keeps_their_latest_values_in_its_head_and_writes_no_key_rows()
    {
        var entries = Enumerable.Range(1, 500).Select(i => Entry(i, key: $"k{i % 4}")).ToList();

        var transactions = LogTransactions.Plan(NewHead, entries, recentEvents: 1000);

        Assert.All(transactions, t => Assert.Empty(t.KeyRows));
        // 95 updates a transaction: the head and four keys that could be written out take the other five operations.
        Assert.Equal(6, transactions.Count);
        var head = transactions[^1].Head;
        Assert.Equal(500, head.LastSequence);
        Assert.Equal([(497L, "k1"), (498L, "k2"), (499L, "k3"), (500L, "k0")], head.Pending.Values.Select(v => (v.Sequence, v.Key)).OrderBy(v => v.Item1));
    }

    [Fact]
    public void Pending_values_are_written_out_when_there_are_too_many_and_every_key_keeps_its_latest_value()
    {
        var entries = Enumerable.Range(1, 300).Select(i => Entry(i, key: $"k{i * 7 % 45}")).ToList();

        var transactions = LogTransactions.Plan(NewHead, entries, recentEvents: 1000);

        // Replaying what each transaction writes: the key rows, then what the last head still holds pending.
        var latest = new Dictionary<string, long>();
        foreach (var value in transactions.SelectMany(t => t.KeyRows))
        {
            latest[value.Key] = value.Sequence;
        }

        foreach (var value in transactions[^1].Head.Pending.Values)
        {
            latest[value.Key] = value.Sequence;
        }

        var expected = entries.GroupBy(e => e.Update.Key!).ToDictionary(g => g.Key, g => g.Max(e => e.Sequence));
        Assert.Equal(expected.OrderBy(p => p.Key), latest.OrderBy(p => p.Key));
        Assert.All(transactions, t => Assert.False(t.Head.Pending.IsFull));
    }

    [Fact]
    public void Pending_values_read_back_as_written()
    {
        var entries = new[] { Entry(7, key: "EURUSD"), Entry(8, key: "k/ü\"u0022", dataBytes: 30) }
            .Select((e, i) => e with { KeyVersion = i == 0 ? 3 : null, Update = e.Update with { Time = i == 0 ? DateTimeOffset.Parse("2026-12-07T10:00:00.123+00:00") : null } });

        var pending = PendingValues.Empty.With(entries);
        var read = PendingValues.FromBytes(pending.ToBytes());

        Assert.Equal(pending.Values.Select(Describe), read.Values.Select(Describe));
        Assert.Equal(pending.Bytes, read.Bytes);
        Assert.Null(PendingValues.Empty.ToBytes());
        Assert.Equal(0, PendingValues.FromBytes(null).Count);

        static string Describe(PendingValue v) => $"{v.Key} {v.Sequence} {v.EventId} {v.Source} {v.Type} {v.Time:O} {v.Version} {System.Text.Encoding.UTF8.GetString(v.Data)}";
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
