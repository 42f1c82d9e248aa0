using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.FunctionsHost.App;

/// <summary>
/// An isolated-worker app's output folder as the host reads it: <c>worker.config.json</c> (how to start the worker)
/// and <c>host.json</c> (route prefix, Event Hubs trigger options). Function metadata comes from the worker itself.
/// </summary>
public sealed record ScriptRoot(string Path, WorkerDescription Worker, HostJson Host)
{
    public const string WorkerConfigFile = "worker.config.json";
    public const string HostJsonFile = "host.json";

    public static ScriptRoot Read(string path, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var full = System.IO.Path.GetFullPath(path).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        if (!Directory.Exists(full))
        {
            throw new ScriptRootException($"The script root {full} does not exist.");
        }

        var workerConfig = System.IO.Path.Combine(full, WorkerConfigFile);
        if (!File.Exists(workerConfig))
        {
            throw new ScriptRootException(
                $"{full} has no {WorkerConfigFile}: --script-root must be an isolated-worker app's build or publish output (for this repository: functions/bin/Debug/net10.0).");
        }

        var hostJson = System.IO.Path.Combine(full, HostJsonFile);
        if (!File.Exists(hostJson))
        {
            throw new ScriptRootException($"{full} has no {HostJsonFile}: every function app has one next to its worker.");
        }

        return new ScriptRoot(full, WorkerDescription.Read(workerConfig), HostJson.Read(hostJson, settings));
    }

    internal static JsonObject ReadObject(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new ScriptRootException($"{file} is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ScriptRootException($"{file} is not valid JSON: {ex.Message}");
        }
    }
}

/// <summary><c>worker.config.json</c>'s <c>description</c>: the host runs <c>{defaultExecutablePath} {arguments} {defaultWorkerPath}</c>.</summary>
public sealed record WorkerDescription(string Language, string ExecutablePath, string WorkerPath, IReadOnlyList<string> Arguments)
{
    public static WorkerDescription Read(string file)
    {
        var description = ScriptRoot.ReadObject(file)["description"] as JsonObject
            ?? throw new ScriptRootException($"{file} has no description object.");
        string Required(string name) => description[name]?.GetValue<string>() is { Length: > 0 } value
            ? value
            : throw new ScriptRootException($"{file} has no description.{name}.");
        var arguments = description["arguments"] is JsonArray list ? list.Select(a => a!.GetValue<string>()).ToList() : [];
        return new WorkerDescription(Required("language"), Required("defaultExecutablePath"), Required("defaultWorkerPath"), arguments);
    }
}

internal sealed class ScriptRootException(string message) : Exception(message);
