using Microsoft.Playwright;

namespace Serverless.Testing;

/// <summary>
/// Debian's Chromium (package <c>chromium</c>, installed by the README's test command) driven by Playwright; Playwright's
/// own browser download is not used. <c>CHROMIUM_PATH</c> names another executable.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium is not installed ({ExecutablePath} is missing). Run the README's test command, which installs it.");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Without these, Chromium keeps trying to reach Google's services, which a closed network refuses.
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }
}
