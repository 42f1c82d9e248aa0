using System.Diagnostics;
using System.Text;
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
    // Azurite's well-known development account (documented by Azurite; not a secret).
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;
    private readonly StringBuilder output = new();

    private AzuriteProcess(Process process, AzuritePorts ports)
    {
        this.process = process;
        Ports = ports;
    }

    public AzuritePorts Ports { get; }

    /// <summary>The Table service's port.</summary>
    public int Port => Ports.Table;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{Ports.Blob}/{AccountName};QueueEndpoint=http://127.0.0.1:{Ports.Queue}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{Ports.Table}/{AccountName};";

    public static async Task<AzuriteProcess> StartAsync(string executable, AzuritePorts ports, string dataFolder, CancellationToken cancellationToken)
    {
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run 'npm ci' in the repository root.");
        }

        Directory.CreateDirectory(dataFolder);
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--blobHost", "127.0.0.1", "--blobPort", ports.Blob.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", ports.Queue.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", ports.Table.ToString(), "--location", dataFolder,
                "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry", "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        var azurite = new AzuriteProcess(process, ports);
        process.OutputDataReceived += (_, e) => azurite.Append(e.Data);
        process.ErrorDataReceived += (_, e) => azurite.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            foreach (var port in new[] { ports.Blob, ports.Queue, ports.Table })
            {
                await LoopbackPorts.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60),
                    () => process.HasExited ? $"Azurite exited with {process.ExitCode}: {azurite.Output}" : null, cancellationToken);
            }
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        return azurite;
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
