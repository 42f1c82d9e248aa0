using System.Text.Json.Nodes;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.App;

/// <summary>One binding of a function, from the worker's raw binding JSON (camelCase keys, docs/functions-host.md).</summary>
public sealed record BindingDescription(string Name, string Type, bool IsInput, JsonObject Properties)
{
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public string? Property(string name) =>
        Properties.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public IReadOnlyList<string> List(string name) =>
        Properties.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is JsonArray array
            ? [.. array.Select(item => item?.GetValue<string>()).OfType<string>()]
            : [];

    public static BindingDescription Parse(string rawBinding)
    {
        var json = JsonNode.Parse(rawBinding) as JsonObject ?? throw new FormatException($"A raw binding is not a JSON object: {rawBinding}");
        string Text(string key) => json.FirstOrDefault(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>()
            ?? throw new FormatException($"A raw binding has no {key}: {rawBinding}");
        return new BindingDescription(Text("name"), Text("type"), !Text("direction").Equals("Out", StringComparison.OrdinalIgnoreCase), json);
    }
}

/// <summary>A function as the worker described it: its id (reused in every load and invocation), bindings and retry policy.</summary>
public sealed record FunctionDescription(string Name, string FunctionId, IReadOnlyList<BindingDescription> Bindings, RetryPolicy Retry, RpcFunctionMetadata Metadata)
{
    /// <summary>The trigger: found by type, since the worker does not list it first.</summary>
    public BindingDescription? Trigger => Bindings.FirstOrDefault(b => b.IsTrigger && b.IsInput);

    public IEnumerable<BindingDescription> Inputs => Bindings.Where(b => b.IsInput && !b.IsTrigger);

    public static FunctionDescription From(RpcFunctionMetadata metadata) => new(
        metadata.Name,
        metadata.FunctionId,
        [.. metadata.RawBindings.Select(BindingDescription.Parse)],
        RetryPolicy.From(metadata.RetryOptions),
        metadata);
}
