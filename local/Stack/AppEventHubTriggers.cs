using System.Text.Json.Nodes;
using Serverless.FunctionsHost;
using Serverless.FunctionsHost.Bindings;

namespace Serverless.Local.Stack;

/// <summary>An <c>eventHubTrigger</c> of the app with its settings resolved: the hub and consumer group the local Event Hubs must have.</summary>
public sealed record AppEventHubTrigger(string Function, string HubName, string ConsumerGroup, string ConnectionSetting)
{
    /// <summary>
    /// The app's Event Hubs triggers, from the <c>functions.metadata</c> its build writes next to the worker (the same
    /// bindings the worker reports to the host), with <c>%Setting%</c> replaced from <paramref name="settings"/> as the
    /// host replaces it.
    /// </summary>
    public static IReadOnlyList<AppEventHubTrigger> Read(string appFolder, IReadOnlyDictionary<string, string?> settings)
    {
        var expressions = new BindingExpressions(new FunctionsHostOptions(appFolder, 0, settings));
        var file = Path.Combine(appFolder, "functions.metadata");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{appFolder} has no functions.metadata: build the function app first (dotnet build functions).");
        }

        var triggers = new List<AppEventHubTrigger>();
        foreach (var function in JsonNode.Parse(File.ReadAllText(file))!.AsArray())
        {
            foreach (var binding in function!["bindings"]!.AsArray())
            {
                if (binding!["type"]?.GetValue<string>() == "eventHubTrigger")
                {
                    triggers.Add(new AppEventHubTrigger(
                        function["name"]!.GetValue<string>(),
                        expressions.Resolve(binding["eventHubName"]!.GetValue<string>())!,
                        expressions.Resolve(binding["consumerGroup"]?.GetValue<string>() ?? "$Default")!,
                        binding["connection"]?.GetValue<string>() ?? "EventHub"));
                }
            }
        }

        return triggers;
    }
}
