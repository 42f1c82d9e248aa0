using Serverless.FunctionsHost.App;

namespace Serverless.FunctionsHost.Worker;

/// <summary>What a trigger's listener starts from: the functions of the first ready worker with that trigger type.</summary>
internal static class TriggeredFunctions
{
    /// <summary>The worker's functions triggered by <paramref name="triggerType"/>; none when the host stops first.</summary>
    public static async Task<IReadOnlyList<FunctionDescription>> WaitForAsync(WorkerSupervisor supervisor, string triggerType, CancellationToken stoppingToken)
    {
        try
        {
            var worker = await supervisor.WaitForWorkerAsync(stoppingToken);
            return [.. worker.Functions.Where(f => f.Trigger?.Type.Equals(triggerType, StringComparison.OrdinalIgnoreCase) == true)];
        }
        catch (OperationCanceledException)
        {
            return [];
        }
    }
}
