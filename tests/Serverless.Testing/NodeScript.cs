using System.Text.Json.Nodes;
using System.Text.Json;
using Serverless.Tooling;

namespace Serverless.Testing;

/// <summary>Runs one of the tests' node scripts (driving an official JS SDK) with a JSON command, and reads its JSON answer.</summary>
public static class NodeScript
{
    public static async Task<JsonElement> RunAsync(string script, JsonObject command, TimeSpan? timeout = null)
    {
        var repo = TestRepo.Layout;
        if (!Directory.Exists(Path.Combine(repo.NodeModules, "@azure", "event-hubs")))
        {
            throw new InvalidOperationException("The official JS SDKs are not installed. Run the README's test command, or 'npm ci' in the repository root, first.");
        }

        var result = await ChildProcess.RunAsync("node", [Path.Combine(repo.Root, "tests", "js", script), command.ToJsonString()], repo.Root, timeout ?? TimeSpan.FromSeconds(60));
        var text = result.Output.Trim();
        if (text.Length == 0)
        {
            throw new InvalidOperationException($"node {script} printed nothing (exit {result.ExitCode}): {result.Errors}");
        }

        return JsonDocument.Parse(text.Split('\n')[^1]).RootElement.Clone();
    }
}
