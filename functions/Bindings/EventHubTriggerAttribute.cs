using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// The Event Hubs trigger, declared here with the official package's name, constructor parameter, properties and
/// capability, because this machine's package feed does not serve <c>Microsoft.Azure.Functions.Worker.Extensions.EventHubs</c>.
/// The SDK's metadata generators read only those, so the app's function metadata is the same as with the package
/// (docs/functions-bindings.md). <c>-p:OfficialBindingPackages=true</c> drops this file and takes the package.
/// </summary>
[BindingCapabilities(KnownBindingCapabilities.FunctionLevelRetry)]
public sealed class EventHubTriggerAttribute(string eventHubName) : TriggerBindingAttribute, ISupportCardinality
{
    /// <summary>The hub to read; <c>%Setting%</c> names an app setting.</summary>
    public string EventHubName { get; } = eventHubName;

    /// <summary>The consumer group; <c>$Default</c> when not set.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>The app setting that holds the namespace's connection (or its <c>__fullyQualifiedNamespace</c> prefix).</summary>
    public string? Connection { get; set; }

    /// <summary>True (the default): the function receives a batch of events.</summary>
    [DefaultValue(true)]
    public bool IsBatched { get; set; } = true;

    Cardinality ISupportCardinality.Cardinality
    {
        get => IsBatched ? Cardinality.Many : Cardinality.One;
        set => IsBatched = value == Cardinality.Many;
    }
}
