using Azure.Data.Tables;
using Serverless.Contracts.Settings;
using Serverless.Local.Identity;
using Serverless.EventHubs;
using Serverless.FunctionsHost;
using Serverless.FunctionsHost.App;
using Serverless.Local.Topology;
using Serverless.SignalRService;
using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>
/// The whole pipeline on one machine: Azurite, the local Event Hubs, the local SignalR Service, the Functions host
/// stand-in running the function app, and the web client. Parts start in dependency order; if one fails, the ones
/// already started stop and the error names the part. Data stays in <see cref="LocalStackOptions.DataFolder"/>.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private readonly Stack<(string Part, Func<Task> Stop)> started = new();
    private readonly LocalStackOptions options;
    private ServiceOptions signalROptions = null!;
    private WebApplication? signalR;

    private LocalStack(LocalStackOptions options) => this.options = options;

    public required StackPorts Ports { get; init; }
    public AzuriteProcess Storage { get; private set; } = null!;
    public string EventHubsConnectionString { get; private set; } = "";
    public string EventHubName { get; private set; } = "";
    public string SignalRConnectionString => signalROptions.ConnectionString(Ports.SignalR);
    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = new Dictionary<string, string?>();

    /// <summary>Where each instance of the function app listens; with one, that is <see cref="StackPorts.Host"/>, else <see cref="FrontDoor"/> is there.</summary>
    public IReadOnlyList<int> InstancePorts { get; private set; } = [];

    /// <summary>The development issuer the app's settings name, for the page's sign-in and the tools' tokens; null with Entra ID.</summary>
    public DevelopmentIssuer? Issuer => DevelopmentIssuer.FromSettings(Settings);
    public Uri HostUrl => new($"http://127.0.0.1:{Ports.Host}/");
    public Uri ApiUrl => new(HostUrl, "api/");
    public Uri WebUrl => new($"http://localhost:{Ports.Web}/");

    /// <summary>What the status table shows: each part, where it listens and how to reach it.</summary>
    public IReadOnlyList<StackEndpoint> Endpoints =>
    [
        new("Storage (Azurite)", $"http://127.0.0.1:{Ports.Storage.Table}/{AzuriteProcess.AccountName} (Blob {Ports.Storage.Blob})", Storage.ConnectionString),
        new("Event Hubs (local)", $"amqp://localhost:{Ports.EventHubs}/{EventHubName}", EventHubsConnectionString),
        new("SignalR Service (local)", $"http://localhost:{Ports.SignalR}", SignalRConnectionString),
        new(InstancePorts.Count > 1 ? $"Function app ({InstancePorts.Count} instances)" : "Function app (host stand-in)",
            InstancePorts.Count > 1 ? $"{ApiUrl} (instances on {string.Join(", ", InstancePorts)})" : ApiUrl.ToString(), null),
        new("Web client", WebUrl.ToString(), null),
    ];

    public static async Task<LocalStack> StartAsync(LocalStackOptions options, Action<string> report, CancellationToken cancellationToken)
    {
        var stack = new LocalStack(options) { Ports = StackPorts.Resolve(options) };
        try
        {
            await stack.StartPartsAsync(report, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(Action<string> report, CancellationToken cancellationToken)
    {
        var repo = options.Repo;
        var settingsFile = File.Exists(repo.UserSettings) ? repo.UserSettings : repo.SettingsSample;
        var localSettings = LocalSettings.Read(settingsFile);
        var settings = new Dictionary<string, string?>(localSettings.Values, StringComparer.OrdinalIgnoreCase);
        var appFolder = repo.FunctionAppFolder;
        var triggers = AppEventHubTrigger.Read(appFolder, settings);

        await Part("npm packages", () => NodePackages.EnsureInstalledAsync(repo, report, cancellationToken));

        report($"Starting Azurite on {Ports.Storage.Blob}–{Ports.Storage.Table}…");
        Storage = await Part("Azurite", () => AzuriteProcess.StartAsync(repo.NodeBin("azurite"), Ports.Storage, Path.Combine(options.DataFolder, "azurite"), cancellationToken));
        started.Push(("Azurite", () => Storage.DisposeAsync().AsTask()));
        await Part("Table Storage", () => CreateTablesAsync(settings, cancellationToken));

        report($"Starting the local Event Hubs on {Ports.EventHubs}…");
        var eventHubOptions = new EventHubsOptions
        {
            Port = Ports.EventHubs,
            DataFolder = Path.Combine(options.DataFolder, "eventhubs"),
            Hubs = AppHubs.For(triggers, options.Partitions),
        };
        var eventHubs = EventHubsApp.Build(eventHubOptions, builder => Embed(builder.Services, builder.Logging));
        started.Push(("Event Hubs", () => StopAsync(eventHubs)));
        // AMQPNetLite's loops continue on the context they start on: start the broker on the thread pool.
        await Part("Event Hubs", () => Task.Run(() => eventHubs.StartAsync(cancellationToken), cancellationToken));
        EventHubName = eventHubOptions.Hubs.FirstOrDefault()?.Name ?? "";
        EventHubsConnectionString = eventHubOptions.ConnectionString(Ports.EventHubs);

        report($"Starting the local SignalR Service on {Ports.SignalR}…");
        signalROptions = new ServiceOptions { Port = Ports.SignalR, Tier = options.SignalRTier, Units = options.SignalRUnits };
        await Part("SignalR Service", () => StartSignalRAsync(cancellationToken));
        started.Push(("SignalR Service", () => StopSignalRAsync()));
        AppConnections.Apply(settings, AppConnections.For(triggers.Select(t => t.ConnectionSetting)),
            new PartConnectionStrings(Storage.ConnectionString, EventHubsConnectionString, SignalRConnectionString));

        settings["Logging__LogLevel__Default"] = options.WorkerLogLevel.ToString();
        foreach (var (name, value) in options.Settings)
        {
            settings[name] = value;
        }

        Settings = settings;

        var hostOptions = new FunctionsHostOptions(appFolder, Ports.Host, settings, localSettings.Cors, localSettings.CorsCredentials);
        InstancePorts = options.Instances == 1 ? [Ports.Host] : [.. Enumerable.Range(0, options.Instances).Select(_ => LoopbackPorts.Free())];
        // The instances stop together: a Ctrl+C reaches their workers at once, and a host not yet stopping would take
        // its worker's exit for a crash and start it again.
        var instances = new List<WebApplication>();
        started.Push(("Functions host", () => Task.WhenAll(instances.Select(StopAsync))));
        foreach (var (port, instance) in InstancePorts.Select((port, i) => (port, i + 1)))
        {
            var name = options.Instances == 1 ? "Functions host" : $"Functions host, instance {instance}";
            report($"Starting the Functions host stand-in with the function app on {port}{(options.Instances == 1 ? "" : $" (instance {instance} of {options.Instances})")}…");
            // Each instance keeps its name in the Event Hubs ownership records, so that one started again takes its partitions back at once.
            var instanceSettings = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
            {
                [HostJson.ProcessorIdentifierSetting] = $"{Environment.MachineName}-instance-{instance}",
            };
            var host = await Part(name, () => Task.FromResult(FunctionsHostApp.Build(hostOptions with { Port = port, Settings = instanceSettings }, builder => Embed(builder.Services, builder.Logging))));
            instances.Add(host);
            await Part(name, () => Task.Run(() => FunctionsHostApp.StartAsync(host, cancellationToken), cancellationToken));
        }

        if (options.Instances > 1)
        {
            report($"Serving the {options.Instances} instances on {Ports.Host}…");
            var frontDoor = FrontDoor.Build(Ports.Host, InstancePorts, builder => Embed(builder.Services, builder.Logging));
            started.Push(("Front door", () => StopAsync(frontDoor)));
            await Part("Front door", () => frontDoor.StartAsync(cancellationToken));
        }

        report($"Serving the web client on {Ports.Web}…");
        var web = await Part("Web client", () => Task.FromResult(WebClientServer.Build(repo, Ports.Web, ApiUrl.ToString().TrimEnd('/'), builder => Embed(builder.Services, builder.Logging), Issuer)));
        started.Push(("Web client", () => StopAsync(web)));
        await Part("Web client", () => web.StartAsync(cancellationToken));
    }

    /// <summary>Stops the SignalR Service, as an outage would: clients lose their connections and pushes fail.</summary>
    public async Task StopSignalRAsync()
    {
        if (signalR is { } running)
        {
            signalR = null;
            await StopAsync(running);
        }
    }

    /// <summary>Starts the SignalR Service again on its port.</summary>
    public async Task StartSignalRAsync(CancellationToken cancellationToken = default)
    {
        var app = SignalRServiceApp.Build(signalROptions, builder => Embed(builder.Services, builder.Logging));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        signalR = app;
    }

    private async Task CreateTablesAsync(Dictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var service = new TableServiceClient(Storage.ConnectionString);
        foreach (var setting in new[] { SettingNames.UpdatesTable, SettingNames.DeadLettersTable })
        {
            if (settings.GetValueOrDefault(setting) is { Length: > 0 } table)
            {
                await service.CreateTableIfNotExistsAsync(table, cancellationToken);
            }
        }
    }

    private void Embed(IServiceCollection services, ILoggingBuilder logging)
    {
        services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        logging.ClearProviders();
        options.Logging(logging);
    }

    private static async Task Part(string part, Func<Task> start) => await Part(part, async () => { await start(); return true; });

    private static async Task<T> Part<T>(string part, Func<Task<T>> start)
    {
        try
        {
            return await start();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not LocalStackException)
        {
            throw new LocalStackException($"{part} failed to start: {ex.Message}", ex);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            await host.StopAsync();
        }
        finally
        {
            // Some services (the handler process) are only async-disposable.
            if (host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }

    /// <summary>Stops every part, the last started first; data stays on disk.</summary>
    public async ValueTask DisposeAsync()
    {
        while (started.TryPop(out var part))
        {
            try
            {
                await part.Stop();
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"{part.Part} did not stop cleanly: {ex.Message}");
            }
        }
    }
}

public sealed record StackEndpoint(string Part, string Address, string? Connection);

/// <summary>A part of the stack could not start; the message says which and why.</summary>
public sealed class LocalStackException(string message, Exception? inner = null) : Exception(message, inner);
