using Microsoft.Playwright;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.AppHost;

/// <summary>
/// The README's first command, <c>dotnet run --project apphost</c>, on free ports with its data in a temporary folder:
/// the dashboard opens without a login prompt and shows every part running and a demo update's trace from the
/// publisher's send through the function's Ingest to store and push; SIGTERM stops every part.
/// </summary>
public sealed class DashboardTests
{
    private static readonly string[] Parts = ["storage", "eventhubs", "signalr", "functions", "web", "demo"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_dashboard_shows_the_parts_running_and_a_trace_from_send_to_push_and_SIGTERM_stops_them()
    {
        var data = Directory.CreateTempSubdirectory("apphost-").FullName;
        var ports = new
        {
            Storage = FreeRunOfThree(), EventHubs = LoopbackPorts.Free(), SignalR = LoopbackPorts.Free(), Functions = LoopbackPorts.Free(),
            Web = LoopbackPorts.Free(), Dashboard = LoopbackPorts.Free(), Otlp = LoopbackPorts.Free(), ResourceService = LoopbackPorts.Free(),
        };
        await using var apphost = ChildProcess.Start("dotnet",
        [
            "run", "--project", Path.Combine(TestRepo.Layout.Root, "apphost"), "--no-build", "--",
            $"--Data={data}", $"--Ports:Storage={ports.Storage}", $"--Ports:EventHubs={ports.EventHubs}", $"--Ports:SignalR={ports.SignalR}",
            $"--Ports:Functions={ports.Functions}", $"--Ports:Web={ports.Web}", $"--ASPNETCORE_URLS=http://localhost:{ports.Dashboard}",
            $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{ports.Otlp}", $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{ports.ResourceService}",
        ]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        IPage? lastPage = null;
        try
        {
            foreach (var port in new[] { ports.Dashboard, ports.Web })
            {
                await LoopbackPorts.WaitUntilListeningAsync(port, StartTimeout, () => apphost.HasExited ? $"the AppHost exited with {apphost.ExitCode}: {apphost.Text}" : null, CancellationToken.None);
            }

            var page = lastPage = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
            await page.GotoAsync($"http://localhost:{ports.Dashboard}/");

            // No login prompt: the resources page itself, each part on a row of its own, running.
            foreach (var part in Parts)
            {
                await page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(part, new() { Exact = true }) }).Filter(new() { HasText = "Running" })
                    .First.WaitForAsync(new() { Timeout = (float)StartTimeout.TotalMilliseconds });
            }

            // A demo update's trace: the send (demo) and the function's four spans (functions), then its detail.
            // The list is live: a row can be drawn again under the click, so open a trace until its detail shows.
            await Poll.UntilAsync(async () =>
            {
                await page.GotoAsync($"http://localhost:{ports.Dashboard}/traces");
                var trace = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "demo: send" }).Filter(new() { HasText = "functions (4)" }).First;
                await trace.WaitForAsync(new() { Timeout = 120_000 });
                await trace.GetByText("demo: send").ClickAsync();
                try
                {
                    await page.GetByText("Trace detail").First.WaitForAsync(new() { Timeout = 10_000 });
                    return (bool?)true;
                }
                catch (TimeoutException)
                {
                    return null;
                }
            }, StartTimeout);
            foreach (var span in new[] { "function Ingest", "store", "push" })
            {
                await page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(span, new() { Exact = true }) }).Filter(new() { HasText = "functions" }).First.WaitForAsync();
            }

            await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "demo" }).Filter(new() { HasText = "eventhubs" }).First.WaitForAsync();
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
        {
            // What the page showed and what the AppHost said, for whoever reads the failure.
            var screenshot = Path.Combine(Path.GetTempPath(), $"apphost-dashboard-{Guid.NewGuid():N}.png");
            await (lastPage?.ScreenshotAsync(new() { Path = screenshot, FullPage = true }) ?? Task.FromResult(Array.Empty<byte>()));
            throw new InvalidOperationException($"{ex.Message}\nScreenshot: {screenshot}\nThe AppHost said:\n{string.Join('\n', apphost.Text.Split('\n').TakeLast(60))}", ex);
        }
        finally
        {
            ChildProcess.Signal(apphost.Id, 15);
            await apphost.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        // Every part stopped with it: their ports are free again.
        int[] partPorts = [ports.Storage, ports.Storage + 2, ports.EventHubs, ports.SignalR, ports.Functions, ports.Web, ports.Dashboard];
        await Poll.UntilAsync(() => Task.FromResult(partPorts.All(LoopbackPorts.IsFree) ? (bool?)true : null), TimeSpan.FromSeconds(30));
        Directory.Delete(data, recursive: true);
    }

    private static int FreeRunOfThree()
    {
        while (true)
        {
            var port = LoopbackPorts.Free();
            if (port < 65533 && LoopbackPorts.IsFree(port + 1) && LoopbackPorts.IsFree(port + 2))
            {
                return port;
            }
        }
    }
}
