using Microsoft.Playwright;
using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>The web client open in Chromium on some channels and a transport, read through its DOM.</summary>
public sealed class WebClientPage(IPage page, string channel) : IAsyncDisposable
{
    public IPage Page => page;

    /// <summary>
    /// Opens the page in a window of <paramref name="width"/> × <paramref name="height"/> (in the en-US locale, so that
    /// numbers read one way), following <paramref name="channel"/>; <paramref name="query"/> adds to its query string.
    /// </summary>
    public static async Task<WebClientPage> OpenAsync(LocalStackFixture fixture, string channel, string transport, int width = 1280, int height = 800, string query = "")
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        var opened = new WebClientPage(page, channel);
        page.Console += (_, message) => opened.console.Add($"{message.Type}: {message.Text}");
        await page.GotoAsync(new Uri(fixture.Stack.WebUrl, $"?as={TestCallers.Operator}&transport={transport}&channels={Uri.EscapeDataString(channel)}{query}").ToString());
        await opened.WaitForStateAsync(transport == "polling" ? "polling" : "connected");
        // Joined: subscribed (or polling) and started from the channel's latest values.
        await page.WaitForFunctionAsync(
            "channel => [...document.querySelectorAll('section.channel')].some(s => s.dataset.channel === channel && s.dataset.following === 'true')",
            channel, new PageWaitForFunctionOptions { Timeout = 30_000 });
        return opened;
    }

    private readonly List<string> console = [];

    /// <summary>What the page logged to its console, to explain a failure.</summary>
    public string Console => string.Join("\n", console);

    public Task WaitForStateAsync(string state) =>
        page.WaitForFunctionAsync("state => window.serverless && window.serverless.state === state", state, new PageWaitForFunctionOptions { Timeout = 30_000 });

    /// <summary>Waits until the channel's log on the page reaches <paramref name="seq"/>.</summary>
    public async Task WaitForSeqAsync(long seq)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "([channel, seq]) => [...document.querySelectorAll('section.channel')].some(s => s.dataset.channel === channel && Number(s.querySelector('.last').textContent.slice(1)) >= seq)",
                new object[] { channel, seq }, new PageWaitForFunctionOptions { Timeout = 60_000 });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The page did not reach #{seq} on {channel}; it shows {string.Join(",", await SeqsAsync())}. Console:\n{Console}", ex);
        }
    }

    /// <summary>The sequence numbers in the channel's log, in page order.</summary>
    public async Task<long[]> SeqsAsync() =>
        await page.EvaluateAsync<long[]>(
            "channel => [...document.querySelectorAll('section.channel')].filter(s => s.dataset.channel === channel).flatMap(s => [...s.querySelectorAll('.log li')].map(li => Number(li.dataset.seq)))",
            channel);

    /// <summary>
    /// The value of a JavaScript <paramref name="expression"/> over <c>card</c>, the channel's section on the page, and
    /// <c>arg</c>, <paramref name="arg"/> as given.
    /// </summary>
    public Task<T> InCardAsync<T>(string expression, object? arg = null) =>
        page.EvaluateAsync<T>($"([channel, arg]) => {{ {FindCard} return ({expression}); }}", new object?[] { channel, arg });

    /// <summary>Waits until a JavaScript <paramref name="condition"/> over <c>card</c>, the channel's section, holds.</summary>
    public Task WaitInCardAsync(string condition, TimeSpan timeout) =>
        page.WaitForFunctionAsync($"channel => {{ {FindCard} return card && ({condition}); }}", channel,
            new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds });

    private const string FindCard = "const card = [...document.querySelectorAll('section.channel')].find(s => s.dataset.channel === channel);";

    /// <summary>The update ids in the channel's log, in page order.</summary>
    public async Task<string[]> IdsAsync() =>
        await page.EvaluateAsync<string[]>(
            "channel => [...document.querySelectorAll('section.channel')].filter(s => s.dataset.channel === channel).flatMap(s => [...s.querySelectorAll('.log li')].map(li => li.dataset.id))",
            channel);

    /// <summary>What the page did (each arrival's sequence number and how it came, its errors) and logged, to explain a failure.</summary>
    public async Task<string> DiagnosticsAsync() =>
        await page.EvaluateAsync<string>("() => JSON.stringify({ arrivals: window.serverless.arrivals.map(a => `${a.seq}:${a.how}`), errors: window.serverless.errors })") + "\n" + Console;

    /// <summary>How many updates came by push, catch-up, polling and history.</summary>
    public async Task<Dictionary<string, int>> CountsAsync() =>
        await page.EvaluateAsync<Dictionary<string, int>>("() => window.serverless.counts");

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(LocalStackFixture.ArtifactsFolder, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await page.Context.CloseAsync();
}
