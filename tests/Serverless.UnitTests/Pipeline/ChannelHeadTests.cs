using System.Text.Json;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Settings;
using Serverless.Pipeline.Storage;

namespace Serverless.UnitTests.Pipeline;

public sealed class ChannelHeadTests
{
    private static Update U(string id, long? ehSequence = null, string partition = "0", int indexInBody = 0) => new()
    {
        Channel = "c",
        Id = id,
        Source = "/s",
        Type = "t",
        Data = JsonDocument.Parse("{}").RootElement,
        Origin = new EventOrigin(partition, ehSequence, null, null, null, 0, indexInBody),
        Digest = $"digest of {id}",
    };

    private static IReadOnlyList<SequencedUpdate> Numbered(long first, params Update[] updates) =>
        [.. updates.Select((u, i) => new SequencedUpdate(first + i, u))];

    [Fact]
    public void The_recent_events_keep_the_last_ones_each_under_its_sequence()
    {
        var head = new ChannelHead(10, "e")
            .After(Numbered(11, U("a"), U("b"), U("c")), recentCapacity: 4)
            .After(Numbered(14, U("d"), U("e")), recentCapacity: 4);

        var index = head.Recent.Index(head.LastSequence);

        Assert.Equal(4, head.Recent.Count);
        Assert.False(index.ContainsKey(RecentEvents.KeyOf(U("a"))));
        Assert.Equal([12L, 13L, 14L, 15L], new[] { "b", "c", "d", "e" }.Select(id => index[RecentEvents.KeyOf(U(id))].Sequence));
        Assert.Equal(RecentEvents.DigestOf(U("d")), index[RecentEvents.KeyOf(U("d"))].Digest);
    }

    [Fact]
    public void The_largest_dedup_window_fits_the_head_row()
    {
        Assert.Equal(RecentEvents.MaxCapacity, IngestOptions.MaxDedupWindow);
        var full = new ChannelHead(0, "e").After(Numbered(1, [.. Enumerable.Range(0, IngestOptions.MaxDedupWindow + 5).Select(i => U($"e{i}"))]), IngestOptions.MaxDedupWindow);
        Assert.Equal(64 * 1024, full.Recent.ToBytes().Length);
    }

    [Fact]
    public void Positions_move_to_each_partitions_last_stored_event()
    {
        var head = new ChannelHead(0, "e").After(Numbered(1, U("a", 5), U("b", 9, indexInBody: 2), U("c", 4, partition: "3"), U("d")), 10);

        Assert.Equal("0=9.2,3=4.0", head.Positions.ToString());
        Assert.True(head.Positions.Covers(U("x", 9, indexInBody: 1).Origin));
        Assert.True(head.Positions.Covers(U("x", 9, indexInBody: 2).Origin));
        Assert.False(head.Positions.Covers(U("x", 9, indexInBody: 3).Origin));
        Assert.False(head.Positions.Covers(U("x", 5, partition: "1").Origin));
        Assert.False(head.Positions.Covers(U("x").Origin)); // no place in Event Hubs: never taken for a redelivery
    }

    [Fact]
    public void The_head_row_keeps_its_recent_events_and_positions()
    {
        var head = new ChannelHead(0, "e").After(Numbered(1, U("a", 5), U("b", 6, partition: "2")), 10);

        var read = UpdateRows.ReadHead(UpdateRows.Head(new ChannelRows("c"), head));

        Assert.Equal(head.Recent.ToBytes(), read.Recent.ToBytes());
        Assert.Equal(head.Positions, read.Positions);
        Assert.Equal((2L, "e"), (read.LastSequence, read.Epoch));
    }

    [Fact]
    public void A_head_row_without_them_reads_as_knowing_no_events()
    {
        var read = UpdateRows.ReadHead(new Azure.Data.Tables.TableEntity(ChannelRows.BucketOf("c"), new ChannelRows("c").Head) { ["LastSeq"] = 7L, ["Epoch"] = "e", ["Positions"] = "garbage,=1.2,0=x.1" });

        Assert.Equal(0, read.Recent.Count);
        Assert.Empty(read.Positions.ByPartition);
    }
}
