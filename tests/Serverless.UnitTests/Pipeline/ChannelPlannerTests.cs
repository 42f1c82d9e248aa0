using Serverless.Contracts.CloudEvents;
using System.Text.Json;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Ingest;
using Serverless.Pipeline.Storage;

namespace Serverless.UnitTests.Pipeline;

public sealed class ChannelPlannerTests
{
    private static Update U(string id, string? key = null, long? version = null, long? ehSequence = null, string partition = "0", string content = "") => new()
    {
        Channel = "c",
        Id = id,
        Source = "/s",
        Type = "t",
        Key = key,
        Version = version,
        Data = JsonDocument.Parse("{}").RootElement,
        Origin = new EventOrigin(partition, ehSequence, null, null, null, 0, 0),
        Digest = $"{id}/{key}/{version}/{content}",
    };

    private static ChannelPlan Plan(IReadOnlyList<Update> updates, ChannelState? state = null) =>
        ChannelPlanner.Plan("c", updates, state ?? ChannelState.Empty, () => "new-epoch");

    // The state after the updates were stored, numbered on from the head's next sequence.
    private static ChannelState After(ChannelHead head, IReadOnlyList<Update> updates, int window = 1000) =>
        new(head.After([.. updates.Select((u, i) => new SequencedUpdate(head.LastSequence + 1 + i, u))], window), new Dictionary<string, KeyState>());

    [Fact]
    public void A_new_channel_starts_at_one_in_a_new_epoch()
    {
        var plan = Plan([U("a", ehSequence: 1), U("b", ehSequence: 2), U("c", ehSequence: 3)]);

        Assert.Equal([1L, 2L, 3L], plan.Stored.Select(s => s.Sequence));
        Assert.Equal((0L, "new-epoch", (string?)null), (plan.Base.LastSequence, plan.Base.Epoch, plan.Base.ETag));
    }

    [Fact]
    public void An_existing_channel_continues_after_its_head_in_its_epoch()
    {
        var state = ChannelState.Empty with { Head = new ChannelHead(41, "old", "etag") };

        var plan = Plan([U("a", ehSequence: 1), U("b", ehSequence: 2)], state);

        Assert.Equal([42L, 43L], plan.Stored.Select(s => s.Sequence));
        Assert.Same(state.Head, plan.Base);
    }

    [Fact]
    public void A_redelivered_event_among_the_recent_ones_is_pushed_again_with_its_original_sequence()
    {
        var stored = U("a", ehSequence: 7);
        var state = After(new ChannelHead(8, "e"), [stored, U("z", ehSequence: 9)]); // a is 9, z is 10

        var plan = Plan([stored, U("b", ehSequence: 10)], state);

        Assert.Equal((9L, "a"), plan.Replayed.Select(r => (r.Sequence, r.Update.Id)).Single());
        Assert.Equal((11L, "b"), plan.Stored.Select(r => (r.Sequence, r.Update.Id)).Single());
        Assert.Equal([9L, 11L], plan.ToPush.Select(p => p.Sequence));
        Assert.Empty(plan.Rejected);
    }

    [Fact]
    public void A_redelivered_event_older_than_the_recent_ones_is_known_by_its_place_and_skipped()
    {
        var old = U("a", ehSequence: 7);
        var state = After(new ChannelHead(0, "e"), [old, U("b", ehSequence: 8), U("c", ehSequence: 9)], window: 2);

        var plan = Plan([old, U("b", ehSequence: 8), U("d", ehSequence: 10), U("x", ehSequence: 3, partition: "1")], state);

        Assert.Equal(["a"], plan.Skipped.Select(u => u.Id));
        Assert.Equal([(2L, "b")], plan.Replayed.Select(r => (r.Sequence, r.Update.Id)));
        Assert.Equal([(4L, "d"), (5L, "x")], plan.Stored.Select(s => (s.Sequence, s.Update.Id)));
    }

    [Fact]
    public void The_same_source_and_id_with_other_content_is_a_duplicate()
    {
        var state = After(new ChannelHead(8, "e"), [U("a", ehSequence: 7)]);

        var plan = Plan([U("a", ehSequence: 99, content: "changed"), U("x", ehSequence: 100), U("x", ehSequence: 101, content: "other")], state);

        Assert.Equal(["a", "x"], plan.Rejected.Select(r => r.EventId));
        Assert.All(plan.Rejected, r => Assert.Equal(RejectionReason.Duplicate, r.Reason));
        Assert.Equal([10L], plan.Stored.Select(s => s.Sequence));
    }

    [Fact]
    public void The_same_event_sent_again_from_another_place_is_pushed_again_with_its_sequence_and_not_dead_lettered()
    {
        // A publisher that could not tell whether its send went through sends the same events again.
        var original = U("a", "k", 5, ehSequence: 7);
        var state = After(new ChannelHead(8, "e"), [original]) with { Keys = new Dictionary<string, KeyState> { ["k"] = new(9, 5) } };

        var plan = Plan([U("a", "k", 5, ehSequence: 99), U("x", ehSequence: 100), U("x", ehSequence: 101)], state);

        Assert.Empty(plan.Rejected);
        Assert.Equal([(9L, "a"), (10L, "x")], plan.Replayed.Select(r => (r.Sequence, r.Update.Id)));
        Assert.Equal([(10L, "x")], plan.Stored.Select(s => (s.Sequence, s.Update.Id)));
    }

    [Fact]
    public void An_event_sent_again_after_the_window_moved_past_it_is_stored_again()
    {
        // The documented bound of Ingest__DedupWindow (docs/storage.md): a resend older than the window is a new update.
        var original = U("a", ehSequence: 7);
        var state = After(new ChannelHead(0, "e"), [original, U("b", ehSequence: 8), U("c", ehSequence: 9)], window: 2);

        var plan = Plan([U("a", ehSequence: 50)], state);

        Assert.Equal([(4L, "a")], plan.Stored.Select(s => (s.Sequence, s.Update.Id)));
    }

    [Fact]
    public void A_version_not_newer_than_the_stored_one_is_stale_and_takes_no_sequence()
    {
        var state = ChannelState.Empty with
        {
            Head = new ChannelHead(5, "e"),
            Keys = new Dictionary<string, KeyState> { ["k"] = new(5, 10) },
        };

        var plan = Plan([U("a", "k", 10, 1), U("b", "k", 9, 2), U("c", "k", 11, 3), U("d", "k", 11, 4), U("e", "k", null, 5)], state);

        Assert.Equal(["a", "b", "d"], plan.Rejected.Select(r => r.EventId));
        Assert.All(plan.Rejected, r => Assert.Equal(RejectionReason.StaleVersion, r.Reason));
        Assert.Equal([(6L, "c", 11L), (7L, "e", 11L)], plan.Stored.Select(s => (s.Sequence, s.Update.Id, s.KeyVersion!.Value)));
    }
}
