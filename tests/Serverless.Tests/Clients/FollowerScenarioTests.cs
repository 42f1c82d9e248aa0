using System.Text.Json.Nodes;
using System.Text.Json;
using Serverless.Contracts.Api;
using Serverless.Contracts.Push;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests.Clients;

/// <summary>
/// One set of client rules, two implementations, one set of cases: every case of tests/follower-scenarios.json runs
/// against the C# <see cref="ChannelFollower"/> and against the web page's follower.js (under Node), and both must do
/// exactly what the case expects. The store behind <c>/updates</c> is simulated: these are tests of the rules alone.
/// </summary>
public sealed class FollowerScenarioTests
{
    private static readonly JsonElement Cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestRepo.Layout.Root, "tests", "follower-scenarios.json"))).RootElement;

    private static readonly Lazy<Task<JsonElement>> WebResults = new(() => NodeScript.RunAsync("follower-scenarios.mjs", new JsonObject()));

    public static TheoryData<string> Names => [.. Cases.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_dotnet_follower_does_what_the_case_expects(string name)
    {
        var scenario = Scenario(name);

        var done = await RunAsync(scenario).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Expected(scenario), done);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_web_follower_does_what_the_case_expects(string name)
    {
        var results = await WebResults.Value;

        var done = results.GetProperty(name);

        Assert.True(done.ValueKind == JsonValueKind.Array, done.ToString());
        Assert.Equal(Expected(Scenario(name)), done.EnumerateArray().Select(e => e.GetString()!));
    }

    private static JsonElement Scenario(string name) =>
        Cases.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static List<string> Expected(JsonElement scenario) => [.. scenario.GetProperty("expect").EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<List<string>> RunAsync(JsonElement scenario)
    {
        var store = new SimulatedStore();
        var done = new List<string>();
        var follower = new ChannelFollower("scenario", store.ReadPageAsync,
            onApplied: (update, fetched) => done.Add($"{update.Id} {(fetched ? "fetch" : "push")}"),
            onReset: epoch => done.Add($"reset {epoch}"),
            readLatest: store.ReadLatestAsync,
            onTrimmed: (firstRetained, latest) => done.Add($"trimmed {firstRetained}, from {latest.Epoch}:{latest.Head}"));
        foreach (var step in scenario.GetProperty("steps").EnumerateArray())
        {
            var (kind, args) = step.EnumerateObject().Select(p => (p.Name, p.Value)).Single();
            switch (kind)
            {
                case "log":
                    store.Log = args;
                    break;
                case "start":
                    await follower.StartAsync(args.GetProperty("epoch").GetString(), args.GetProperty("from").GetInt64(), args.GetProperty("head").GetInt64());
                    break;
                case "catchUp":
                    await follower.CatchUpAsync(args.GetProperty("epoch").GetString(), args.GetProperty("head").GetInt64());
                    break;
                case "push":
                    var epoch = args.GetProperty("epoch").GetString()!;
                    await follower.ApplyAsync(new UpdateMessage("scenario", epoch, [.. args.GetProperty("seqs").EnumerateArray().Select(s => Item(epoch, s.GetInt64()))]));
                    break;
                case "poll":
                    await follower.PollAsync();
                    break;
                default:
                    throw new InvalidOperationException($"unknown step '{kind}'");
            }
        }

        return done;
    }

    private static UpdateItem Item(string epoch, long seq) =>
        new(seq, $"{epoch}:{seq}", null, "scenario", null, JsonSerializer.SerializeToElement(new { seq }));

    /// <summary>What /updates would serve, as the case's 'log' steps describe it.</summary>
    private sealed class SimulatedStore
    {
        public JsonElement Log { get; set; } = JsonDocument.Parse("""{"epoch":null,"head":0}""").RootElement;

        public Task<UpdatesPage> ReadPageAsync(string channel, long after, int limit)
        {
            var epoch = Log.GetProperty("epoch").GetString();
            var head = Log.GetProperty("head").GetInt64();
            var pageSize = Log.TryGetProperty("pageSize", out var size) ? size.GetInt32() : UpdatesPage.MaxLimit;
            var missing = Log.TryGetProperty("missing", out var gaps) ? gaps.EnumerateArray().Select(g => g.GetInt64()).ToHashSet() : [];
            var firstRetained = Log.TryGetProperty("firstRetained", out var first) ? first.GetInt64() : 1;
            if (after + 1 < firstRetained)
            {
                throw new HistoryTrimmedException(channel, firstRetained);
            }

            var last = Math.Min(head, after + Math.Min(limit, pageSize));
            var updates = epoch is null ? [] : LongRange(after + 1, last).Where(seq => !missing.Contains(seq)).Select(seq => Item(epoch, seq)).ToList();
            return Task.FromResult(new UpdatesPage(channel, epoch, head, updates));
        }

        public Task<LatestValuesPage> ReadLatestAsync(string channel) =>
            Task.FromResult(new LatestValuesPage(channel, Log.GetProperty("epoch").GetString(), Log.GetProperty("head").GetInt64(), [], null));

        private static IEnumerable<long> LongRange(long from, long to)
        {
            for (var seq = from; seq <= to; seq++)
            {
                yield return seq;
            }
        }
    }
}
