using System.Text.Json;
using Microsoft.Playwright;

namespace Serverless.Testing.Chaos;

/// <summary>
/// The web page in Chromium, following some channels over WebSockets through a fault run, read through what it records
/// of each arrival (<c>window.serverless.arrivals</c>).
/// </summary>
public sealed class ChaosPage : IChaosFollower
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly IPage page;

    private ChaosPage(IPlaywright playwright, IBrowser browser, IPage page, IReadOnlyList<string> channels)
    {
        this.playwright = playwright;
        this.browser = browser;
        this.page = page;
        Channels = channels;
    }

    public string Name => "web page (Chromium)";
    public IReadOnlyList<string> Channels { get; }

    public static async Task<ChaosPage> OpenAsync(Uri web, IReadOnlyList<string> channels)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(web, $"?as={TestCallers.Operator}&transport=websockets&channels={Uri.EscapeDataString(string.Join(",", channels))}").ToString());
        await page.WaitForFunctionAsync("() => window.serverless && window.serverless.state === 'connected'", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await page.WaitForFunctionAsync(
            "count => [...document.querySelectorAll('section.channel')].filter(s => s.dataset.following === 'true').length === count",
            channels.Count, new PageWaitForFunctionOptions { Timeout = 60_000 });
        return new ChaosPage(playwright, browser, page, channels);
    }

    public async Task<IReadOnlyDictionary<string, (long Seq, long N)[]>> AppliedAsync()
    {
        var arrivals = await page.EvaluateAsync<JsonElement>("() => window.serverless.arrivals.map(a => [a.channel, a.seq, a.data.n])");
        return arrivals.EnumerateArray()
            .Select(a => (Channel: a[0].GetString()!, Seq: a[1].GetInt64(), N: a[2].GetInt64()))
            .GroupBy(a => a.Channel)
            .ToDictionary(g => g.Key, g => g.Select(a => (a.Seq, a.N)).ToArray());
    }

    public async Task<DateTime> LastPushAsync()
    {
        var at = await page.EvaluateAsync<double?>("() => { const pushes = window.serverless.arrivals.filter(a => a.how === 'push'); return pushes.length ? pushes[pushes.length - 1].at : null; }");
        return at is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms).UtcDateTime : DateTime.MinValue;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
