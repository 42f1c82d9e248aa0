using System.Diagnostics;
using Microsoft.Playwright;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Benchmarks;

/// <summary>
/// What a user sees: the time from typing the README's run command (<c>dotnet run --project cli -- up --demo</c>, already
/// built, fresh data folder) to the first update on the web page, the page opened as soon as its URL answers.
/// </summary>
public static class UpBenchmark
{
    public static async Task RunAsync()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var data = Directory.CreateTempSubdirectory("bench-up-").FullName;
        var webPort = LoopbackPorts.Free();
        var clock = Stopwatch.StartNew();
        await using var up = ChildProcess.Start("dotnet", ["run", "--project", Path.Combine(TestRepo.Layout.Root, "cli"), "--", "up", "--demo", "--data", data, "--web-port", $"{webPort}"]);
        using var http = new HttpClient();
        var url = $"http://localhost:{webPort}/";
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url + "config.json");
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        var served = clock.Elapsed;
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync(".log li", new PageWaitForSelectorOptions { Timeout = 120_000 });
        var shown = clock.Elapsed;
        Console.WriteLine($"up --demo: page served after {served.TotalSeconds:F1} s, first update on the page after {shown.TotalSeconds:F1} s");
        up.Kill(entireProcessTree: true);
        Directory.Delete(data, recursive: true);
    }
}
