using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Testing;

/// <summary>Runs one of the tests' node scripts (driving an official JS SDK) with a JSON command, and reads its JSON answer.</summary>
public static class NodeScript
{
    public static async Task<JsonElement> RunAsync(string script, JsonObject command, TimeSpan? timeout = null)
    {
        var path = Path.Combine(RepoPaths.Root, "tests", "js", script);
        if (!Directory.Exists(Path.Combine(RepoPaths.Root, "node_modules", "@azure", "event-hubs")))
        {
            throw new InvalidOperationException("The official JS SDKs are not installed. Run the README's test command, or 'npm ci' in the repository root, first.");
        }

        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { path, command.ToJsonString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish: {await errors}");
        }

        var text = (await output).Trim();
        if (text.Length == 0)
        {
            throw new InvalidOperationException($"node {script} printed nothing (exit {process.ExitCode}): {await errors}");
        }

        return JsonDocument.Parse(text.Split('\n')[^1]).RootElement.Clone();
    }
}
