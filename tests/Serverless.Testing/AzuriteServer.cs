using Serverless.Local.Stack;
using Serverless.Local.Topology;
using Serverless.Tooling;

namespace Serverless.Testing;

/// <summary>
/// A real Azurite (Blob, Queue and Table services) (npm <c>azurite</c>, installed by the README's test command), started the way
/// <c>up</c> starts it, on a free port with its data in a temporary folder. Disposing stops it and removes the data.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = AzuriteProcess.AccountName;
    public const string AccountKey = LocalConnections.AccountKey;

    private readonly AzuriteProcess process;
    private readonly string dataFolder;

    private AzuriteServer(AzuriteProcess process, string dataFolder)
    {
        this.process = process;
        this.dataFolder = dataFolder;
    }

    public int Port => process.Port;
    public string ConnectionString => process.ConnectionString;
    public string Output => process.Output;

    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var dataFolder = Directory.CreateTempSubdirectory("azurite-").FullName;
        var ports = new AzuritePorts(LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var process = await AzuriteProcess.StartAsync(TestRepo.Layout.NodeBin("azurite"), ports, dataFolder, cancellationToken);
        return new AzuriteServer(process, dataFolder);
    }

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
