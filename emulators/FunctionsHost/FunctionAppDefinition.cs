using System.Text.Json;
using System.Text.RegularExpressions;

namespace Serverless.FunctionsHost;

/// <summary>What the host reads from a function app's folder: <c>host.json</c> and each <c>*/function.json</c>.</summary>
public sealed record FunctionAppDefinition(
    string Root,
    string ExecutablePath,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    string RoutePrefix,
    int MaxEventBatchSize,
    bool StartFromEnd,
    IReadOnlyList<EventHubFunction> EventHubFunctions,
    IReadOnlyList<string> HttpFunctions)
{
    public static FunctionAppDefinition Read(string root, IReadOnlyDictionary<string, string?> settings)
    {
        root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        var hostPath = Path.Combine(root, "host.json");
        if (!File.Exists(hostPath))
        {
            throw new FileNotFoundException($"{root} has no host.json: point --app at a function app's folder (its build or publish output).");
        }

        using var host = JsonDocument.Parse(File.ReadAllText(hostPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var handler = host.RootElement.GetProperty("customHandler").GetProperty("description");
        var extensions = host.RootElement.TryGetProperty("extensions", out var e) ? e : default;
        var eventHubs = extensions.ValueKind == JsonValueKind.Object && extensions.TryGetProperty("eventHubs", out var eh) ? eh : default;

        var eventHubFunctions = new List<EventHubFunction>();
        var httpFunctions = new List<string>();
        // One folder per function, directly under the app root.
        foreach (var file in Directory.GetFiles(root, "function.json", SearchOption.AllDirectories).Where(f => Path.GetDirectoryName(Path.GetDirectoryName(f)) == root))
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file)!);
            using var function = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var binding in function.RootElement.GetProperty("bindings").EnumerateArray())
            {
                var type = binding.GetProperty("type").GetString();
                if (type == "eventHubTrigger")
                {
                    eventHubFunctions.Add(new EventHubFunction(
                        name,
                        binding.GetProperty("name").GetString()!,
                        Expand(binding.GetProperty("eventHubName").GetString()!, settings),
                        binding.GetProperty("connection").GetString()!,
                        Expand(binding.TryGetProperty("consumerGroup", out var cg) ? cg.GetString()! : "$Default", settings),
                        RetryPolicy.From(function.RootElement)));
                }
                else if (type == "httpTrigger")
                {
                    httpFunctions.Add(name);
                }
            }
        }

        return new FunctionAppDefinition(
            root,
            handler.GetProperty("defaultExecutablePath").GetString()!,
            handler.TryGetProperty("arguments", out var args) ? args.EnumerateArray().Select(a => Expand(a.GetString()!, settings)).ToList() : [],
            handler.TryGetProperty("workingDirectory", out var wd) ? wd.GetString() ?? "" : "",
            extensions.ValueKind == JsonValueKind.Object && extensions.TryGetProperty("http", out var http) && http.TryGetProperty("routePrefix", out var prefix) ? prefix.GetString() ?? "api" : "api",
            eventHubs.ValueKind == JsonValueKind.Object && eventHubs.TryGetProperty("maxEventBatchSize", out var max) ? max.GetInt32() : 100,
            eventHubs.ValueKind == JsonValueKind.Object && eventHubs.TryGetProperty("initialOffsetOptions", out var initial)
                && initial.TryGetProperty("type", out var offsetType) && offsetType.GetString()!.Equals("fromEnd", StringComparison.OrdinalIgnoreCase),
            eventHubFunctions,
            httpFunctions);
    }

    /// <summary>Replaces <c>%Setting%</c> with the setting's value, as the host does in binding properties.</summary>
    public static string Expand(string value, IReadOnlyDictionary<string, string?> settings) =>
        Regex.Replace(value, "%([^%]+)%", m => settings.GetValueOrDefault(m.Groups[1].Value)
            ?? throw new InvalidOperationException($"The setting {m.Groups[1].Value} named in a binding is missing."));
}

/// <summary>A function with an <c>eventHubTrigger</c> (cardinality many, dataType string, as Ingest declares).</summary>
public sealed record EventHubFunction(string Name, string BindingName, string HubName, string ConnectionSetting, string ConsumerGroup, RetryPolicy Retry);

/// <summary>A function's <c>retry</c>: fixedDelay or exponentialBackoff; maxRetryCount -1 retries for ever.</summary>
public sealed record RetryPolicy(int MaxRetryCount, TimeSpan Delay, TimeSpan MaximumDelay, bool Exponential)
{
    public static RetryPolicy None { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, false);

    public static RetryPolicy From(JsonElement function)
    {
        if (!function.TryGetProperty("retry", out var retry))
        {
            return None;
        }

        var count = retry.GetProperty("maxRetryCount").GetInt32();
        return retry.GetProperty("strategy").GetString() switch
        {
            "fixedDelay" => new RetryPolicy(count, TimeSpan.Parse(retry.GetProperty("delayInterval").GetString()!), TimeSpan.Zero, false),
            "exponentialBackoff" => new RetryPolicy(count, TimeSpan.Parse(retry.GetProperty("minimumInterval").GetString()!),
                TimeSpan.Parse(retry.GetProperty("maximumInterval").GetString()!), true),
            var other => throw new InvalidOperationException($"Unknown retry strategy '{other}'."),
        };
    }

    public bool ShouldRetry(int retriesDone) => MaxRetryCount < 0 || retriesDone < MaxRetryCount;

    public TimeSpan DelayBefore(int retry) => Exponential
        ? TimeSpan.FromTicks(Math.Min(MaximumDelay.Ticks, Delay.Ticks * (1L << Math.Min(retry, 20))))
        : Delay;
}
