using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Worker;

/// <summary>Whether the host can run a function the worker described: it must have a trigger, and only bindings this host implements.</summary>
internal static class FunctionLoadCheck
{
    /// <summary>Why the function is not loaded, or null when it is.</summary>
    public static string? WhyNotLoadable(FunctionDescription function)
    {
        if (function.Metadata.Status is { Status: StatusResult.Types.Status.Failure } status)
        {
            return $"the worker reported it as failed: {status.Exception?.Message ?? status.Result}";
        }

        if (function.Trigger is null)
        {
            return "it has no trigger binding";
        }

        var unsupported = function.Bindings.FirstOrDefault(b => !SupportedBindings.IsSupported(b.Type));
        return unsupported is null
            ? null
            : $"this host does not implement the binding type '{unsupported.Type}' (binding '{unsupported.Name}')";
    }
}
