using Serverless.Local.Topology;
using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>The loopback ports of Azurite's services: Blob (the host's Event Hubs checkpoints), Queue and Table (the app's data).</summary>
public sealed record AzuritePorts(int Blob, int Queue, int Table);

/// <summary>
/// Azurite (npm <c>azurite</c>) as a child process with its Blob, Queue and Table services on loopback ports, and its
/// data in a folder that stays when it stops. Its account is Azurite's well-known development account.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    public const string AccountName = LocalConnections.AccountName;

    private readonly ChildProcess process;

    private AzuriteProcess(ChildProcess process, AzuritePorts ports)
    {
        this.process = process;
        Ports = ports;
    }

    public AzuritePorts Ports { get; }

    /// <summary>The Table service's port.</summary>
    public int Port => Ports.Table;

    public string ConnectionString => LocalConnections.Storage($"{Ports.Blob}", $"{Ports.Queue}", $"{Ports.Table}");

    /// <summary>What Azurite said, standard output and error together.</summary>
    public string Output => process.Text;

    /// <summary>The running Azurite, for faults: kill it, or suspend and resume it.</summary>
    public ChildProcess Process => process;

    /// <param name="dataFolder">Where Azurite keeps its data; null keeps it in memory only (<c>--inMemoryPersistence</c>:
    /// no saving to disk every few seconds, and nothing survives the process).</param>
    public static async Task<AzuriteProcess> StartAsync(string executable, AzuritePorts ports, string? dataFolder, CancellationToken cancellationToken)
    {
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run 'npm ci' in the repository root.");
        }

        if (dataFolder is not null)
        {
            Directory.CreateDirectory(dataFolder);
        }

        var process = ChildProcess.Start(executable, [.. PartArguments.Azurite(ports.Blob, ports.Queue, ports.Table, dataFolder).Select(a => $"{a}")]);
        var azurite = new AzuriteProcess(process, ports);
        try
        {
            foreach (var port in new[] { ports.Blob, ports.Queue, ports.Table })
            {
                await LoopbackPorts.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60),
                    () => process.HasExited ? $"Azurite exited with {process.ExitCode}: {process.Text}" : null, cancellationToken);
            }
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        return azurite;
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
