using System.Text;
using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;
using Serverless.Local.Demo;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// A workload's updates: the load generator's (a rising <c>entityversion</c> per key, data <c>n</c>) on the workload's
/// own channels <c>{workload}.NNNN</c>, each stamped with <c>time</c> as it is taken to be sent and padded to
/// <see cref="Size"/> bytes. Update n goes to channel n mod channels.
/// </summary>
public sealed class BenchEvents(string workload, int channels)
{
    public const int Size = 300;

    private readonly LoadGenerator generator = new(channels, workload);
    private long next;

    public IReadOnlyList<string> Channels { get; } = [.. Enumerable.Range(0, channels).Select(i => $"{workload}.{i:D4}")];

    /// <summary>Each channel's head once <paramref name="updates"/> updates are stored.</summary>
    public IReadOnlyDictionary<string, long> Heads(long updates) =>
        Channels.Select((channel, i) => (channel, head: updates / channels + (i < updates % channels ? 1 : 0)))
            .Where(c => c.head > 0)
            .ToDictionary(c => c.channel, c => c.head);

    public JsonObject Next()
    {
        var cloudEvent = generator.Next();
        cloudEvent[UpdateAttributes.Channel] = Channels[(int)(next++ % Channels.Count)];
        cloudEvent[UpdateAttributes.Time] = DateTimeOffset.UtcNow.ToString("O");
        var data = (JsonObject)cloudEvent[UpdateAttributes.Data]!;
        data["note"] = "";
        var missing = Size - Encoding.UTF8.GetByteCount(cloudEvent.ToJsonString());
        data["note"] = new string('x', Math.Max(0, missing));
        return cloudEvent;
    }
}
