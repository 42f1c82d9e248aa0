using System.Text;
using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Testing.Chaos;

/// <summary>What must become of one event of a body: stored in its channel, or dead-lettered with a reason.</summary>
public sealed record ExpectedOutcome(string? Id, string? Channel, string? Reason)
{
    public bool Stored => Reason is null;
}

/// <summary>One Event Hubs body, and what must become of each event in it.</summary>
public sealed record FloodBody(byte[] Body, string PartitionKey, IReadOnlyList<ExpectedOutcome> Outcomes);

/// <summary>
/// Bad input of every kind the pipeline must refuse with a reason, mixed with good events it must store: malformed JSON,
/// bodies that are no event, missing and mistyped attributes, oversized keys and channels, invalid and OData-shaped
/// channel names, binary data, bytes that are no UTF-8, nesting deeper than JSON readers allow, events at and just over the size limit, and
/// arrays of good and bad events together. Good events go to <c>flood.{n mod channels}</c>.
/// </summary>
public sealed class BadEvents(string run, int maxEventBytes, int channels = 4)
{
    public const string PartitionKey = "flood";
    private long next;

    public IReadOnlyList<string> Channels { get; } = [.. Enumerable.Range(0, channels).Select(i => $"flood.{i}")];

    public IEnumerable<FloodBody> Generate(int count)
    {
        var kinds = Kinds();
        for (var i = 0; i < count; i++)
        {
            yield return kinds[i % kinds.Count]();
        }
    }

    private List<Func<FloodBody>> Kinds() =>
    [
        () => Raw("""{"specversion":"1.0","id":"cut""", RejectionReason.MalformedJson),
        () => Raw("not json at all", RejectionReason.MalformedJson),
        () => Raw("42", RejectionReason.NotAnEvent),
        () => Raw("\"a string\"", RejectionReason.NotAnEvent),
        () => Raw("[]", RejectionReason.NotAnEvent),
        () => Bad(e => e.Remove(UpdateAttributes.Id), RejectionReason.MissingAttribute, knownId: false),
        () => Bad(e => e.Remove(UpdateAttributes.Source), RejectionReason.MissingAttribute),
        () => Bad(e => e.Remove(UpdateAttributes.Type), RejectionReason.MissingAttribute),
        () => Bad(e => e.Remove(UpdateAttributes.Channel), RejectionReason.MissingAttribute, knownChannel: false),
        () => Bad(e => e.Remove(UpdateAttributes.Data), RejectionReason.MissingAttribute),
        () => Bad(e => e[UpdateAttributes.Type] = 7, RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.Source] = new JsonObject(), RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.Time] = "yesterday", RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.EntityVersion] = "seven", RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.EntityVersion] = -3, RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.EntityKey] = 12, RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.EntityKey] = new string('k', 300), RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.EntityKey] = "a/b#c", RejectionReason.InvalidAttribute),
        () => Bad(e => e[UpdateAttributes.SpecVersion] = "0.3", RejectionReason.UnsupportedSpecVersion),
        () => Bad(e => e[UpdateAttributes.Channel] = "bad channel!", RejectionReason.InvalidChannel, knownChannel: false),
        () => Bad(e => e[UpdateAttributes.Channel] = "x' or PartitionKey ne 'y", RejectionReason.InvalidChannel, knownChannel: false),
        () => Bad(e => e[UpdateAttributes.Channel] = "$channels", RejectionReason.InvalidChannel, knownChannel: false),
        () => Bad(e => e[UpdateAttributes.Channel] = "", RejectionReason.InvalidAttribute, knownChannel: false),
        () => Bad(e => e[UpdateAttributes.Channel] = "flood." + new string('x', 200), RejectionReason.InvalidChannel, knownChannel: false),
        () => Bad(e => { e.Remove(UpdateAttributes.Data); e[UpdateAttributes.DataBase64] = "AAEC"; }, RejectionReason.DataNotJson),
        () => Bad(e => e[UpdateAttributes.DataContentType] = "text/plain", RejectionReason.DataNotJson),
        () => Raw(Nested(200), RejectionReason.MalformedJson),
        () => NotUtf8([0xC3, 0x28]),
        () => NotUtf8([0xC0, 0xAF]),
        () => NotUtf8([0xED, 0xA0, 0x80]),
        () => NotUtf8([0xFF]),
        WithByteOrderMark,
        () => Sized(maxEventBytes, stored: true),
        () => Sized(maxEventBytes + 1, stored: false),
        Mixed,
        () => Good(),
    ];

    private string NextId() => $"{run}-{next++}";

    private string ChannelOf(string id) => Channels[(int)(long.Parse(id[(id.LastIndexOf('-') + 1)..]) % Channels.Count)];

    private JsonObject Event(string id) => new()
    {
        [UpdateAttributes.SpecVersion] = "1.0",
        [UpdateAttributes.Id] = id,
        [UpdateAttributes.Source] = "/flood",
        [UpdateAttributes.Type] = "com.example.flood",
        [UpdateAttributes.Channel] = ChannelOf(id),
        [UpdateAttributes.Data] = new JsonObject { ["id"] = id },
    };

    private FloodBody Good()
    {
        var id = NextId();
        return Body(Event(id).ToJsonString(), new ExpectedOutcome(id, ChannelOf(id), null));
    }

    private FloodBody Bad(Action<JsonObject> spoil, string reason, bool knownId = true, bool knownChannel = true)
    {
        var id = NextId();
        var e = Event(id);
        spoil(e);
        return Body(e.ToJsonString(), new ExpectedOutcome(knownId ? id : null, knownChannel ? ChannelOf(id) : null, reason));
    }

    // A good event but for bytes in its data that are no UTF-8: nothing of it can be read, so nothing of it is known.
    private FloodBody NotUtf8(byte[] bad)
    {
        var text = Event(NextId()).ToJsonString();
        var cut = text.LastIndexOf('"'); // inside the last string, the data's id
        byte[] body = [.. Encoding.UTF8.GetBytes(text[..cut]), .. bad, .. Encoding.UTF8.GetBytes(text[cut..])];
        return new FloodBody(body, PartitionKey, [new ExpectedOutcome(null, null, RejectionReason.NotUtf8)]);
    }

    private FloodBody WithByteOrderMark()
    {
        var id = NextId();
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Event(id).ToJsonString())];
        return new FloodBody(body, PartitionKey, [new ExpectedOutcome(id, ChannelOf(id), null)]);
    }

    private FloodBody Raw(string text, string reason) => Body(text, new ExpectedOutcome(null, null, reason));

    // An event whose JSON is exactly `bytes` long: its data carries the padding.
    private FloodBody Sized(int bytes, bool stored)
    {
        var id = NextId();
        var e = Event(id);
        e[UpdateAttributes.Data] = new JsonObject { ["id"] = id, ["pad"] = "" };
        e[UpdateAttributes.Data]!["pad"] = new string('p', bytes - Encoding.UTF8.GetByteCount(e.ToJsonString()));
        return Body(e.ToJsonString(), new ExpectedOutcome(id, ChannelOf(id), stored ? null : RejectionReason.TooLarge));
    }

    private FloodBody Mixed()
    {
        var (first, second) = (NextId(), NextId());
        var bad = NextId();
        var spoiled = Event(bad);
        spoiled.Remove(UpdateAttributes.Source);
        var array = new JsonArray(Event(first), spoiled, Event(second));
        return Body(array.ToJsonString(),
            new ExpectedOutcome(first, ChannelOf(first), null),
            new ExpectedOutcome(bad, ChannelOf(bad), RejectionReason.MissingAttribute),
            new ExpectedOutcome(second, ChannelOf(second), null));
    }

    private static string Nested(int depth) => new StringBuilder().Insert(0, "{\"a\":", depth).Append("1").Append('}', depth).ToString();

    private static FloodBody Body(string text, params ExpectedOutcome[] outcomes) => new(Encoding.UTF8.GetBytes(text), PartitionKey, outcomes);
}
