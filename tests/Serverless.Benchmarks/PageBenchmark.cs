using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure.Messaging.EventHubs.Producer;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Serverless.Local.Publishing;
using Serverless.Local.Stack;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Benchmarks;

/// <summary>
/// The web page in Chromium against the whole local stack (as <c>up</c> starts it): how long from starting the stack to
/// the first update on the page, and the latency from publishing to Event Hubs to the update showing on the page at a
/// steady rate (each update carries the time it was sent; the page notes when it showed it; same machine, same clock).
/// </summary>
public static class PageBenchmark
{
    public static async Task RunAsync(int rate, int seconds)
    {
        var clock = Stopwatch.StartNew();
        var data = Directory.CreateTempSubdirectory("bench-stack-").FullName;
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            Repo = new RepoLayout(TestRepo.Layout.Root),
            DataFolder = data,
            StoragePort = 0, EventHubsPort = 0, SignalRPort = 0, HostPort = 0, WebPort = 0,
            Logging = logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error),
            WorkerLogLevel = LogLevel.Error,
        }, _ => { }, CancellationToken.None);
        var started = clock.Elapsed;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var channels = Enumerable.Range(0, 4).Select(_ => TestEvents.NewChannel("bench")).ToArray();
        await page.GotoAsync(new Uri(stack.WebUrl, $"?as=operator&transport=websockets&channels={string.Join(",", channels)}").ToString());
        await page.WaitForFunctionAsync("() => window.serverless && window.serverless.state === 'connected'");
        var connected = clock.Elapsed;

        await using var producer = new EventHubProducerClient(stack.EventHubsConnectionString, stack.EventHubName);
        var total = rate * seconds;
        var publishing = new RatePublisher(producer, rate, total).RunAsync(Stamped(channels, CancellationToken.None), CancellationToken.None);
        await page.WaitForFunctionAsync("() => window.serverless.arrivals.length > 0");
        var firstShown = clock.Elapsed;
        await publishing;
        await page.WaitForFunctionAsync($"() => window.serverless.arrivals.length >= {total}", null, new PageWaitForFunctionOptions { Timeout = 120_000 });

        var arrivals = await page.EvaluateAsync<JsonElement>("() => window.serverless.arrivals");
        var latencies = arrivals.EnumerateArray()
            .Select(a => a.GetProperty("at").GetDouble() - a.GetProperty("data").GetProperty("sentAt").GetDouble())
            .ToList();
        var byHow = arrivals.EnumerateArray().GroupBy(a => a.GetProperty("how").GetString()).Select(g => $"{g.Key} {g.Count()}");
        Console.WriteLine($"stack started in {started.TotalSeconds:F1} s; page connected at {connected.TotalSeconds:F1} s; first update on the page {firstShown.TotalSeconds:F1} s after the start (publishing began at {connected.TotalSeconds:F1} s)");
        Console.WriteLine($"publish → page at {rate} updates/s over {channels.Length} channels for {seconds} s: {Latencies.Summary(latencies)}, max={latencies.Max():F0} ms");
        Console.WriteLine($"arrived by: {string.Join(", ", byHow)}");
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async IAsyncEnumerable<OutgoingUpdate> Stamped(string[] channels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            var channel = channels[n % channels.Length];
            // Stamped when the publisher takes it, right before it is sent.
            yield return OutgoingUpdate.From(TestEvents.Update(channel, $"e{n}", new { n, sentAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));
            await Task.CompletedTask;
        }
    }
}
