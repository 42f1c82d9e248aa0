namespace Serverless.Local.Stack;

/// <summary>
/// The lifetime of a host that runs inside the tool: the tool, not each host, answers Ctrl+C and stops the parts in
/// order (the default console lifetime would stop every part on its own at the first signal).
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
