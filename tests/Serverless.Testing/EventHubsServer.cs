using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.EventHubs;
using Serverless.Tooling;

namespace Serverless.Testing;

/// <summary>
/// The local Event Hubs, the same code <c>dotnet run --project emulators/EventHubs</c> starts, on a free port with
/// its data in a folder that outlives a restart (and is removed on dispose).
/// </summary>
public sealed class EventHubsServer : IAsyncDisposable
{
    private IHost host;

    private EventHubsServer(IHost host, EventHubsOptions options)
    {
        this.host = host;
        Options = options;
    }

    public EventHubsOptions Options { get; }
    public int Port => Options.Port;
    public string ConnectionString => Options.ConnectionString(Port);

    public static async Task<EventHubsServer> StartAsync(params HubOptions[] hubs)
    {
        var options = new EventHubsOptions
        {
            Port = LoopbackPorts.Free(),
            DataFolder = Directory.CreateTempSubdirectory("eventhubs-").FullName,
            Hubs = hubs.Length > 0 ? [.. hubs] : [new HubOptions()],
        };
        var host = Build(options);
        await StartOutsideSynchronizationContext(host);
        return new EventHubsServer(host, options);
    }

    /// <summary>Stops the process's broker and starts a new one on the same data folder and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAgainAsync();
    }

    /// <summary>Stops the broker, as an outage: clients lose their connections and cannot connect.</summary>
    public async Task StopAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }

    /// <summary>After <see cref="StopAsync"/>: a new broker on the same data folder and port.</summary>
    public async Task StartAgainAsync()
    {
        host = Build(Options);
        await StartOutsideSynchronizationContext(host);
    }

    // AMQPNetLite's accept and read loops continue on the context they start on; a test framework's context would
    // run them on its few threads, so the broker starts on the thread pool, as it does in its own process.
    private static Task StartOutsideSynchronizationContext(IHost host) => Task.Run(() => host.StartAsync());

    private static IHost Build(EventHubsOptions options) => EventHubsApp.Build(options, builder =>
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
    });

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        try
        {
            Directory.Delete(Options.DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
