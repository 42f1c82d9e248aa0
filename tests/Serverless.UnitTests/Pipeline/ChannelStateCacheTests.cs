using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Storage;

namespace Serverless.UnitTests.Pipeline;

public sealed class ChannelStateCacheTests
{
    private readonly ChannelStateCache cache = new();

    private static Update Update(string? key, long? version = null) => new()
    {
        Channel = "c",
        Id = Guid.NewGuid().ToString("N"),
        Source = "/s",
        Type = "t",
        Key = key,
        Version = version,
        Data = default,
        RawBody = "{}",
        Origin = new EventOrigin("0", 1, "1", null, null, 0, 0),
    };

    [Fact]
    public void A_channel_is_known_after_a_commit_with_the_keys_it_wrote_and_their_last_state()
    {
        var head = new ChannelHead(3, "epoch", "etag-2");
        var (a1, a2, b) = (Update("a", 1), Update("a", 2), Update("b", 7));

        cache.Committed("c", head, [new SequencedUpdate(1, a1, 1), new SequencedUpdate(2, a2, 2), new SequencedUpdate(3, b, 7)]);
        var known = cache.Find("c", [Update("a"), Update("b"), Update(null)]);

        Assert.Equal(head, known!.Head);
        Assert.Equal(new KeyState(2, 2), known.Keys["a"]);
        Assert.Equal(new KeyState(3, 7), known.Keys["b"]);
    }

    [Fact]
    public void A_key_never_read_or_written_makes_a_channel_with_key_rows_unknown_for_that_batch()
    {
        cache.Committed("c", new ChannelHead(1, "epoch", "etag") { HasKeyRows = true }, [new SequencedUpdate(1, Update("a"), null)]);

        Assert.Null(cache.Find("c", [Update("a"), Update("z")]));
        Assert.Null(cache.Find("other", [Update(null)]));
    }

    [Fact]
    public void A_channel_without_key_rows_knows_every_key_from_its_head()
    {
        // Every stored key is pending in the head until a transaction first writes them out: a key neither known nor
        // pending was never stored.
        cache.Committed("c", new ChannelHead(1, "epoch", "etag"), [new SequencedUpdate(1, Update("a"), 4)]);

        var state = cache.Find("c", [Update("a"), Update("z")]);

        Assert.NotNull(state);
        Assert.Equal(["a"], state.Keys.Keys);
    }

    [Fact]
    public void Keys_a_read_did_not_find_are_known_to_be_absent()
    {
        var state = new ChannelState(new ChannelHead(4, "epoch", "etag"), new Dictionary<string, KeyState> { ["a"] = new(4, 9) });

        cache.Read("c", state, [Update("a"), Update("new")]);
        var known = cache.Find("c", [Update("new")]);

        Assert.NotNull(known);
        Assert.Empty(known.Keys);
        Assert.Equal(new KeyState(4, 9), cache.Find("c", [Update("a")])!.Keys["a"]);
    }

    [Fact]
    public void A_channel_without_a_stored_head_and_a_forgotten_channel_are_unknown()
    {
        cache.Read("new", ChannelState.Empty, [Update(null)]);
        cache.Committed("c", new ChannelHead(1, "epoch", "etag"), []);
        cache.Forget("c");

        Assert.Null(cache.Find("new", [Update(null)]));
        Assert.Null(cache.Find("c", [Update(null)]));
    }
}
