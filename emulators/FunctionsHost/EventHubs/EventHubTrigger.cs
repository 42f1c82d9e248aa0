using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>An <c>eventHubTrigger</c> binding with its expressions resolved: hub, consumer group and connection.</summary>
public sealed record EventHubTrigger(string HubName, string ConsumerGroup, string ConnectionString, bool IsBatched, bool Binary)
{
    public const string DefaultConsumerGroup = "$Default";

    public static EventHubTrigger From(FunctionDescription function, BindingExpressions expressions)
    {
        var binding = function.Trigger!;
        var hub = expressions.Resolve(binding.Property("eventHubName")) is { Length: > 0 } name
            ? name
            : throw new BindingException($"{function.Name}'s eventHubTrigger has no eventHubName.");
        var group = expressions.Resolve(binding.Property("consumerGroup")) is { Length: > 0 } g ? g : DefaultConsumerGroup;
        var setting = binding.Property("connection") is { Length: > 0 } s ? s : "EventHub";
        var connection = expressions.Setting(setting)
            ?? (expressions.Setting($"{setting}__fullyQualifiedNamespace") is not null
                ? throw new BindingException($"{setting} is an identity-based connection; this host takes connection strings only.")
                : throw new BindingException($"The setting {setting}, the connection of {function.Name}, is missing."));
        return new EventHubTrigger(
            hub,
            group,
            connection,
            !string.Equals(binding.Property("cardinality"), "One", StringComparison.OrdinalIgnoreCase),
            string.Equals(binding.Property("dataType"), "Binary", StringComparison.OrdinalIgnoreCase));
    }
}
