using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>
/// How the page reads, in a real Chromium against the whole local stack: values as formatted fields with trend arrows
/// and live charts, how fresh updates are, a layout where no text covers other text at desktop and phone sizes, and
/// controls a keyboard reaches. Screenshots of both sizes go to tests/artifacts.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class PageViewTests(LocalStackFixture fixture)
{
    private static JsonObject Price(string channel, int n, double bid) => TestEvents.Update(channel, $"{channel}-p{n}",
        new { symbol = "BTCUSD", bid, ask = bid + 0.5, size = 1200 + n, depth = new { levels = 3, venue = "X" } },
        key: "BTCUSD", version: n, time: DateTimeOffset.UtcNow);

    // What one field of a key shows: its value, its trend, the arrow beside it and the points of its chart.
    private static Task<JsonElement> FieldAsync(WebClientPage page, string key, string field) =>
        page.InCardAsync<JsonElement>("""
            (([key, field]) => {
              const article = [...card.querySelectorAll('article.entity')].find(a => a.dataset.key === key);
              const element = [...article.querySelectorAll('.field')].find(f => f.dataset.field === field);
              return {
                kind: element.dataset.kind,
                value: element.querySelector('.value').textContent,
                trend: element.dataset.trend ?? null,
                arrow: element.querySelector('.trend').textContent,
                points: Number(element.querySelector('svg.sparkline')?.dataset.points ?? -1),
                details: element.querySelector('details') ? { open: element.querySelector('details').open, json: element.querySelector('details code').textContent } : null,
              };
            })(arg)
            """, new[] { key, field });

    [Fact]
    public async Task Values_read_as_formatted_fields_with_an_arrow_for_each_move_and_a_chart_that_grows()
    {
        var channel = TestEvents.NewChannel("view");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");

        await fixture.PublishAsync(channel, [Price(channel, 1, 67250.5)]);
        await page.WaitForSeqAsync(1);
        var bid = await FieldAsync(page, "BTCUSD", "bid");
        var size = await FieldAsync(page, "BTCUSD", "size");
        var symbol = await FieldAsync(page, "BTCUSD", "symbol");
        var depth = await FieldAsync(page, "BTCUSD", "depth");

        Assert.Equal(("number", "67,250.50", 1), (bid.GetProperty("kind").GetString(), bid.GetProperty("value").GetString(), bid.GetProperty("points").GetInt32()));
        Assert.Equal("1,201", size.GetProperty("value").GetString());
        Assert.Equal(("text", "BTCUSD", -1), (symbol.GetProperty("kind").GetString(), symbol.GetProperty("value").GetString(), symbol.GetProperty("points").GetInt32()));
        Assert.Equal("object", depth.GetProperty("kind").GetString());
        Assert.False(depth.GetProperty("details").GetProperty("open").GetBoolean(), "nested data starts collapsed");
        Assert.Contains("\"levels\": 3", depth.GetProperty("details").GetProperty("json").GetString());

        await fixture.PublishAsync(channel, [Price(channel, 2, 67300.25)]);
        await page.WaitForSeqAsync(2);
        var up = await FieldAsync(page, "BTCUSD", "bid");
        await fixture.PublishAsync(channel, [Price(channel, 3, 67100)]);
        await page.WaitForSeqAsync(3);
        var down = await FieldAsync(page, "BTCUSD", "bid");

        Assert.Equal(("67,300.25", "up", "▲", 2), (up.GetProperty("value").GetString(), up.GetProperty("trend").GetString(), up.GetProperty("arrow").GetString(), up.GetProperty("points").GetInt32()));
        Assert.Equal(("67,100.00", "down", "▼", 3), (down.GetProperty("value").GetString(), down.GetProperty("trend").GetString(), down.GetProperty("arrow").GetString(), down.GetProperty("points").GetInt32()));
        var summaries = await page.InCardAsync<string[]>("[...card.querySelectorAll('.log .summary')].map(s => s.textContent)");
        Assert.StartsWith("symbol BTCUSD · bid 67,250.50 · ask 67,251.00 · size 1,201", summaries[0]);
    }

    [Fact]
    public async Task The_header_shows_the_last_minutes_freshness_and_a_quiet_channel_says_since_when()
    {
        var channel = TestEvents.NewChannel("view");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets", query: "&quietAfter=3");

        await fixture.PublishAsync(channel, [.. Enumerable.Range(1, 5).Select(n => Price(channel, n, 100 + n))]);
        await page.WaitForSeqAsync(5);
        await page.Page.WaitForFunctionAsync("() => Number(document.getElementById('freshness').dataset.count) >= 5");
        var header = await page.Page.EvaluateAsync<string[]>("() => ['fresh-p50', 'fresh-p99', 'fresh-rate'].map(id => document.getElementById(id).textContent)");
        var delays = await page.Page.EvaluateAsync<double[]>("() => window.serverless.arrivals.filter(a => a.how !== 'history').map(a => a.delay)");
        var logDelays = await page.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.log .delay')].map(d => d.textContent)");

        Assert.Matches(@"^-?\d+(\.\d)? (ms|s)$", header[0]);
        Assert.Matches(@"^-?\d+(\.\d)? (ms|s)$", header[1]);
        Assert.Matches(@"^\d+(\.\d)?/s$", header[2]);
        Assert.Equal(5, delays.Length);
        // Published now, over a local pipeline: shown within seconds of each update's time, not hours.
        Assert.All(delays, delay => Assert.InRange(delay, -5_000, 60_000));
        Assert.All(logDelays, text => Assert.Matches(@"\d+(\.\d)? (ms|s)$", text));

        await page.WaitInCardAsync("card.querySelector('.since').dataset.quiet === 'true'", TimeSpan.FromSeconds(15));
        var since = await page.InCardAsync<string>("card.querySelector('.since').textContent");
        var announced = await page.Page.EvaluateAsync<string>("() => document.getElementById('announcer').textContent");
        Assert.StartsWith("no update since ", since);
        Assert.Contains($"{channel}: no update since", announced);
        Assert.Equal("polite", await page.Page.GetAttributeAsync("#announcer", "aria-live"));
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 800)]
    public async Task No_text_covers_other_text_and_nothing_runs_off_the_window(int width, int height)
    {
        var channel = TestEvents.NewChannel("view");
        var longKey = "an-entity-key-long-enough-to-run-out-of-room-in-any-card-" + new string('k', 40);
        var longText = string.Concat(Enumerable.Repeat("a-long-value-without-spaces-", 12));
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets", width, height);

        await fixture.PublishAsync(channel,
        [
            .. Enumerable.Range(1, 20).Select(n => Price(channel, n, 67000 + n * 13.25)),
            TestEvents.Update(channel, $"{channel}-long", new { note = longText, amount = 1234567.891, state = "shipped", customer = "Northwind Traders International" }, key: longKey, time: DateTimeOffset.UtcNow),
        ]);
        await page.WaitForSeqAsync(21);
        await page.Page.WaitForTimeoutAsync(1500); // the flashes end and the header's figures are drawn
        var screenshot = await page.ScreenshotAsync($"page-{width}x{height}");

        var overlaps = await page.Page.EvaluateAsync<string[]>(OverlappingTextScript);
        var (scrollWidth, innerWidth) = (await page.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.Page.EvaluateAsync<int>("() => window.innerWidth"));

        Assert.True(overlaps.Length == 0, $"text overlaps at {width}×{height} (see {screenshot}):\n{string.Join("\n", overlaps)}");
        Assert.True(scrollWidth <= innerWidth, $"the page is {scrollWidth} px wide in a {innerWidth} px window (see {screenshot})");
        var title = await page.InCardAsync<string>(
            "[...card.querySelectorAll('article.entity')].find(a => a.dataset.key === arg).querySelector('.field[data-field=\"note\"] .value').title", longKey);
        Assert.Equal(longText, title); // cut on screen, whole on hover
    }

    [Fact]
    public async Task A_card_shows_the_keys_updated_last_and_says_how_many_more_there_are()
    {
        var channel = TestEvents.NewChannel("view");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");

        await fixture.PublishAsync(channel, [.. Enumerable.Range(1, 30).Select(n =>
            TestEvents.Update(channel, $"{channel}-o{n}", new { state = "placed", amount = n }, key: $"order-{n:D2}", time: DateTimeOffset.UtcNow))]);
        await page.WaitForSeqAsync(30);
        var shown = await page.InCardAsync<string[]>("[...card.querySelectorAll('article.entity')].map(a => a.dataset.key)");
        var more = await page.InCardAsync<string>("card.querySelector('.more').textContent");

        Assert.Equal(Enumerable.Range(7, 24).Select(n => $"order-{n:D2}"), shown);
        Assert.Equal("6 more keys, updated longer ago, not shown", more);
    }

    [Fact]
    public async Task A_keyboard_reaches_the_transport_the_connection_the_channels_and_the_log()
    {
        var channel = TestEvents.NewChannel("view");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");
        await fixture.PublishAsync(channel, [Price(channel, 1, 10)]);
        await page.WaitForSeqAsync(1);

        // Other tests' channels are in the list too: tab until the log, or give up after plenty.
        var reached = new List<string>();
        for (var i = 0; i < 400 && !reached.Contains("log"); i++)
        {
            await page.Page.Keyboard.PressAsync("Tab");
            reached.Add(await page.Page.EvaluateAsync<string>("""
                () => {
                  const e = document.activeElement;
                  if (e.id) return e.id;
                  if (e.closest('#channel-list')) return 'channel-checkbox';
                  if (e.matches('section.channel .log')) return 'log';
                  return e.tagName.toLowerCase();
                }
                """));
        }

        Assert.Contains("transport", reached);
        Assert.Contains("connect", reached);
        Assert.Contains("channel-checkbox", reached);
        Assert.Contains("channel-name", reached);
        Assert.Contains("log", reached);
        await page.Page.FocusAsync("#transport");
        await page.Page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("sse", await page.Page.EvaluateAsync<string>("() => document.getElementById('transport').value"));
    }

    // Every line of text as drawn (each text node's line boxes, cut by every ancestor that clips), and each pair of
    // lines from different elements that cover each other by more than a pixel each way.
    private const string OverlappingTextScript = """
        () => {
          const lines = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const element = node.parentElement;
            if (!node.textContent.trim() || element.closest('.visually-hidden, [hidden], script, style, details:not([open]) > :not(summary)')) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const rect of range.getClientRects()) {
              let box = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
              for (let a = element; a && a !== document.documentElement; a = a.parentElement) {
                const style = getComputedStyle(a);
                if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
                  const clip = a.getBoundingClientRect();
                  box = { left: Math.max(box.left, clip.left), top: Math.max(box.top, clip.top), right: Math.min(box.right, clip.right), bottom: Math.min(box.bottom, clip.bottom) };
                }
              }
              if (box.right - box.left > 1 && box.bottom - box.top > 1) lines.push({ element, text: node.textContent.trim().slice(0, 40), box });
            }
          }
          const found = [];
          for (let i = 0; i < lines.length; i++) {
            for (let j = i + 1; j < lines.length; j++) {
              const [a, b] = [lines[i], lines[j]];
              if (a.element === b.element) continue;
              const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
              const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
              if (w > 1 && h > 1) found.push(`'${a.text}' and '${b.text}' overlap by ${w.toFixed(0)}×${h.toFixed(0)} px`);
            }
          }
          return found.slice(0, 20);
        }
        """;
}
