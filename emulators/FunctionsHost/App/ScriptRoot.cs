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

    public static ScriptRoot Read(string path)
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

        return new ScriptRoot(full, WorkerDescription.Read(workerConfig), HostJson.Read(hostJson));
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

/// <summary>What this host uses of <c>host.json</c>, with the Functions defaults for what it leaves out.</summary>
public sealed record HostJson(string RoutePrefix, EventHubsHostOptions EventHubs, SingletonHostOptions Singleton)
{
    public static HostJson Read(string file)
    {
        var root = ScriptRoot.ReadObject(file);
        var extensions = root["extensions"] as JsonObject;
        var routePrefix = extensions?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
        var eventHubs = extensions?["eventHubs"] as JsonObject;
        int Int(string name, int fallback) => eventHubs?[name] is JsonValue value && value.TryGetValue<int>(out var number) ? number : fallback;
        var fromEnd = eventHubs?["initialOffsetOptions"]?["type"]?.GetValue<string>() is { } type && type.Equals("fromEnd", StringComparison.OrdinalIgnoreCase);
        return new HostJson(routePrefix.Trim('/'), new EventHubsHostOptions(
            Int("maxEventBatchSize", EventHubsHostOptions.DefaultMaxEventBatchSize),
            Int("prefetchCount", EventHubsHostOptions.DefaultPrefetchCount),
            Int("batchCheckpointFrequency", 1),
            fromEnd),
            SingletonHostOptions.Read(root["singleton"] as JsonObject, file));
    }
}

/// <summary>
/// host.json <c>singleton</c>: how long a timer's listener lock is leased (15 to 60 s, default 60 s) and how often a
/// host without it tries again (default a minute), as the WebJobs SDK's singleton options.
/// </summary>
public sealed record SingletonHostOptions(TimeSpan ListenerLockPeriod, TimeSpan ListenerLockRecoveryPollingInterval)
{
    public static readonly TimeSpan DefaultListenerLockPeriod = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultRecoveryPollingInterval = TimeSpan.FromMinutes(1);

    internal static SingletonHostOptions Read(JsonObject? singleton, string file)
    {
        TimeSpan Duration(string name, TimeSpan fallback) =>
            singleton?.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>() is { } text
                ? TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
                    ? value
                    : throw new ScriptRootException($"{file}: singleton.{name} '{text}' is not a positive TimeSpan (hh:mm:ss).")
                : fallback;
        var period = Duration("listenerLockPeriod", DefaultListenerLockPeriod);
        if (period < TimeSpan.FromSeconds(15) || period > TimeSpan.FromSeconds(60))
        {
            throw new ScriptRootException($"{file}: singleton.listenerLockPeriod must be between 00:00:15 and 00:01:00, not {period}.");
        }

        return new SingletonHostOptions(period, Duration("listenerLockRecoveryPollingInterval", DefaultRecoveryPollingInterval));
    }
}

/// <summary>host.json <c>extensions.eventHubs</c>.</summary>
public sealed record EventHubsHostOptions(int MaxEventBatchSize, int PrefetchCount, int BatchCheckpointFrequency, bool StartFromEnd)
{
    public const int DefaultMaxEventBatchSize = 100;
    public const int DefaultPrefetchCount = 300;
}

internal sealed class ScriptRootException(string message) : Exception(message);
