using Serverless.FunctionsHost.App;

namespace Serverless.FunctionsHost.Worker;

/// <summary>A worker that has answered init and metadata and loaded its functions: what invocations go to.</summary>
/// <param name="HttpUri">Where the worker's ASP.NET Core integration listens (its <c>HttpUri</c> capability).</param>
public sealed record ReadyWorker(WorkerChannel Channel, IReadOnlyList<FunctionDescription> Functions, Uri? HttpUri)
{
    public FunctionDescription? Function(string name) =>
        Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
