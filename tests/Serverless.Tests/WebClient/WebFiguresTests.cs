using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>
/// The page's figures under Node (tests/js/web-figures.mjs): how values read (web/format.js) and how fresh updates
/// are (web/freshness.js). Pure logic; the page itself is tested in Chromium (WebClient/PageViewTests).
/// </summary>
public sealed class WebFiguresTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<JsonElement> RunAsync(JsonObject input) => await NodeScript.RunAsync("web-figures.mjs", input);

    private static JsonObject Input(Action<JsonObject> set)
    {
        var input = new JsonObject
        {
            ["decimals"] = new JsonArray(),
            ["formatted"] = new JsonArray(),
            ["data"] = new JsonObject(),
            ["summaries"] = new JsonArray(),
            ["trends"] = new JsonArray(),
            ["delays"] = new JsonArray(),
            ["freshness"] = new JsonArray(),
        };
        set(input);
        return input;
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.ToString())];

    [Fact]
    public async Task Numbers_read_in_the_locale_and_a_field_keeps_the_most_decimals_it_had()
    {
        var answer = await RunAsync(Input(input =>
        {
            input["decimals"] = new JsonArray(1.0842, 67250, 0.00000015, 151.3);
            input["formatted"] = new JsonArray(
                new JsonObject { ["locale"] = "en-US", ["values"] = JsonNode.Parse("""[["bid", 1.0842], ["bid", 1.08425], ["bid", 1.084], ["bid", 67250], ["size", 1234567], ["ratio", 0.5]]""") },
                new JsonObject { ["locale"] = "de-DE", ["values"] = JsonNode.Parse("""[["ask", 1234.5], ["count", 1234567]]""") });
        }));

        Assert.Equal([4, 0, 8, 1], answer.GetProperty("decimals").EnumerateArray().Select(e => e.GetInt32()));
        var formatted = answer.GetProperty("formatted").EnumerateArray().ToArray();
        Assert.Equal(["1.0842", "1.08425", "1.08400", "67,250.00000", "1,234,567", "0.5"], Strings(formatted[0]));
        Assert.Equal(["1.234,50", "1.234.567"], Strings(formatted[1]));
    }

    [Fact]
    public async Task Data_reads_as_fields_with_nested_objects_collapsed_and_a_trend_for_numbers()
    {
        var answer = await RunAsync(Input(input =>
        {
            input["data"] = JsonNode.Parse("""{"symbol": "BTCUSD", "bid": 67250.5, "open": true, "depth": {"levels": 3}, "tags": ["a"], "venue": null}""");
            input["summaries"] = JsonNode.Parse("""[{"symbol": "EURUSD", "bid": 1.08421}, 42, "text"]""");
            input["trends"] = JsonNode.Parse("""[[1, 2], [2, 1], [2, 2], [null, 2], ["a", "b"]]""");
            input["delays"] = new JsonArray(340.4, 2400, 180000, -20);
        }));

        var fields = answer.GetProperty("fields").EnumerateArray().Select(f => (f.GetProperty("name").GetString(), f.GetProperty("kind").GetString(), f.GetProperty("text").GetString()));
        Assert.Equal(
        [
            ("symbol", "text", "BTCUSD"), ("bid", "number", "67,250.50"), ("open", "flag", "yes"),
            ("depth", "object", """{"levels":3}"""), ("tags", "object", """["a"]"""), ("venue", "empty", "–"),
        ], fields);
        Assert.Equal(["symbol EURUSD · bid 1.08421", "42", "text"], Strings(answer.GetProperty("summaries")));
        Assert.Equal(["up", "down", "same", "", ""], Strings(answer.GetProperty("trends")));
        Assert.Equal(["340 ms", "2.4 s", "3 min", "-20 ms"], Strings(answer.GetProperty("delays")));
    }

    [Fact]
    public async Task Freshness_is_the_delay_from_the_event_time_with_the_last_minutes_median_99th_percentile_and_rate()
    {
        // 100 updates over 10 s, the n-th shown n × 10 ms after its time; then one more a minute later.
        var samples = new JsonArray([.. Enumerable.Range(1, 100).Select(n =>
            (JsonNode)new JsonArray(Start.AddMilliseconds(n * 100).ToString("O"), (Start.AddMilliseconds(n * 100 + n * 10)).ToUnixTimeMilliseconds()))]);
        var withoutTime = new JsonArray(new JsonArray(null, Start.ToUnixTimeMilliseconds()));
        var answer = await RunAsync(Input(input => input["freshness"] = new JsonArray(
            new JsonObject { ["samples"] = samples.DeepClone(), ["now"] = Start.AddSeconds(11).ToUnixTimeMilliseconds() },
            new JsonObject { ["samples"] = samples.DeepClone(), ["now"] = Start.AddSeconds(80).ToUnixTimeMilliseconds() },
            new JsonObject { ["samples"] = withoutTime, ["now"] = Start.ToUnixTimeMilliseconds() })));

        var runs = answer.GetProperty("freshness").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(1, 100).Select(n => n * 10.0), runs[0].GetProperty("recorded").EnumerateArray().Select(e => e.GetDouble()));
        var recent = runs[0].GetProperty("summary");
        Assert.Equal((100, 500.0, 990.0), (recent.GetProperty("count").GetInt32(), recent.GetProperty("p50").GetDouble(), recent.GetProperty("p99").GetDouble()));
        // 100 updates between 0.11 s and 11 s: about 10 a second.
        Assert.InRange(recent.GetProperty("rate").GetDouble(), 9, 10);
        var later = runs[1].GetProperty("summary");
        Assert.Equal((0, JsonValueKind.Null), (later.GetProperty("count").GetInt32(), later.GetProperty("p50").ValueKind));
        Assert.Equal(JsonValueKind.Null, runs[2].GetProperty("recorded")[0].ValueKind);
    }
}
