using System.Globalization;
using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Local.Demo;

/// <summary>
/// Synthetic load for measurements and fault runs: update <c>n</c> goes to channel <c>load.{n mod channels}</c>, about
/// key <c>k{…}</c> with <c>entityversion</c> n, so that every key's versions rise. Ids are <c>{run}-{n}</c>: a run tag
/// keeps two runs apart, and the same run and number always make the same event, byte for byte.
/// </summary>
public sealed class LoadGenerator(int channels, string run, long start = 0, int keysPerChannel = LoadGenerator.DefaultKeysPerChannel)
{
    public const int DefaultKeysPerChannel = 4;

    public const string Type = "com.example.load";
    private long next = start;

    public static string Channel(int index) => $"load.{index:D3}";

    /// <summary>Where a run's numbering goes on: after the highest number among the events it already sent.</summary>
    public static long NextNumber(string run, IEnumerable<string?> sentIds) =>
        sentIds.Select(id => id is not null && id.StartsWith(run + "-", StringComparison.Ordinal) && long.TryParse(id.AsSpan(run.Length + 1), out var n) ? n : -1)
            .DefaultIfEmpty(-1).Max() + 1;

    public IReadOnlyList<string> Channels { get; } = [.. Enumerable.Range(0, channels).Select(Channel)];

    public JsonObject Next()
    {
        var n = next++;
        var channel = (int)(n % channels);
        return new JsonObject
        {
            [UpdateAttributes.SpecVersion] = "1.0",
            [UpdateAttributes.Id] = $"{run}-{n}",
            [UpdateAttributes.Source] = "/load",
            [UpdateAttributes.Type] = Type,
            [UpdateAttributes.Channel] = Channel(channel),
            [UpdateAttributes.EntityKey] = $"k{n / channels % keysPerChannel}",
            [UpdateAttributes.EntityVersion] = n,
            [UpdateAttributes.Data] = new JsonObject { ["n"] = n, ["value"] = (n % 1000 / 10.0).ToString("0.0", CultureInfo.InvariantCulture) },
        };
    }
}
