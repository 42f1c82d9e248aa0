using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using System.Text;
using System.Text.Json;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.App;
using Serverless.EventHubs;
using Serverless.Local.Stack;
using Serverless.Local.Topology;
using Serverless.Tooling;

namespace Serverless.Testing.Chaos;

/// <summary>
/// The whole local pipeline with every part in a process of its own, so that a part can be killed, stopped and started
/// again as a crash would: Azurite; the local Event Hubs, the local SignalR Service and the Functions host stand-in, each
/// run by the CLI (<c>serverless eventhubs|signalr|host</c>); the function app's worker, the host's child. Ports are
/// free ones, data is in one folder, and a part started again takes the same port and data. With several instances of
/// the function app (parts <c>host</c>, <c>host-2</c>, …, each a host with its worker), a <see cref="FrontDoor"/> in
/// this process serves them on <see cref="HostPort"/>, as Azure's front ends do.
/// </summary>
public sealed class ProcessStack : IAsyncDisposable
{
    public const string Hub = "updates";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string dataFolder;
    private readonly string appFolder;
    private readonly AzuritePorts azuritePorts;
    private readonly Dictionary<string, ChildProcess> processes = [];
    private readonly Dictionary<string, StringBuilder> earlierOutput = [];
    private readonly Dictionary<string, ChildProcess> keptFrom = [];
    private AzuriteProcess? azurite;

    private readonly IReadOnlyDictionary<string, string> appSettings;

    private readonly bool storageInMemory;

    private readonly Dictionary<string, int> instancePorts = [];
    private readonly HashSet<string> stopped = [];
    private WebApplication? frontDoor;

    private ProcessStack(string dataFolder, int partitions, IReadOnlyDictionary<string, string>? appSettings, bool storageInMemory, int maxInstances)
    {
        this.storageInMemory = storageInMemory;
        this.appSettings = appSettings ?? new Dictionary<string, string>();
        this.dataFolder = dataFolder;
        appFolder = Path.Combine(dataFolder, "app");
        Partitions = partitions;
        azuritePorts = new AzuritePorts(LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        EventHubsPort = LoopbackPorts.Free();
        SignalRPort = LoopbackPorts.Free();
        HostPort = LoopbackPorts.Free();
        foreach (var part in InstanceNames(maxInstances))
        {
            instancePorts[part] = maxInstances == 1 ? HostPort : LoopbackPorts.Free();
        }

        // As an operator, who may follow every channel (the fault run's load.* and the bench's channels are no one else's).
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HostPort}/"), Timeout = TimeSpan.FromSeconds(60) }.As(TestCallers.OperatorToken());
    }

    public int Partitions { get; }
    public int EventHubsPort { get; }
    public int SignalRPort { get; }
    public int HostPort { get; }
    public HttpClient Api { get; }
    public string StorageConnectionString => azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");
    public string EventHubsConnectionString => LocalConnections.EventHubs($"{EventHubsPort}");
    public string SignalRConnectionString => LocalConnections.SignalR($"{SignalRPort}");

    /// <summary>The parts a fault run kills in turn, in the order the pipeline needs them.</summary>
    public static IReadOnlyList<string> PartNames { get; } = ["azurite", "eventhubs", "signalr", "host"];

    /// <summary>The parts of the function app's instances: <c>host</c>, then <c>host-2</c>, <c>host-3</c>, ….</summary>
    public static IReadOnlyList<string> InstanceNames(int count) => [.. Enumerable.Range(1, count).Select(i => i == 1 ? "host" : $"host-{i}")];

    /// <summary>Every part that has run, for the logs: <see cref="PartNames"/> and the other instances.</summary>
    public IReadOnlyList<string> AllParts => [.. PartNames, .. instancePorts.Keys.Where(p => p != "host" && (processes.ContainsKey(p) || earlierOutput.ContainsKey(p)))];

    /// <param name="appSettings">Settings for the function app beside the local ones (its <c>local.settings.json</c> <c>Values</c>).</param>
    /// <param name="storageInMemory">Azurite keeps its data in memory only: for measuring, never for faults (a restart loses it).</param>
    /// <param name="instances">Instances of the function app started at once.</param>
    /// <param name="maxInstances">Instances the front door serves, those not started yet included (see <see cref="StartAsync(string)"/>).</param>
    public static async Task<ProcessStack> StartAsync(string dataFolder, int partitions = 4, IReadOnlyDictionary<string, string>? appSettings = null, bool storageInMemory = false,
        int instances = 1, int? maxInstances = null)
    {
        var stack = new ProcessStack(dataFolder, partitions, appSettings, storageInMemory, maxInstances ?? instances);
        try
        {
            stack.PrepareApp();
            foreach (var part in PartNames.Where(p => p != "host"))
            {
                await stack.StartAsync(part);
            }

            await Task.WhenAll(InstanceNames(instances).Select(stack.StartAsync));
            if (stack.instancePorts.Count > 1)
            {
                stack.frontDoor = FrontDoor.Build(stack.HostPort, [.. stack.instancePorts.Values], builder => builder.Logging.ClearProviders());
                await stack.frontDoor.StartAsync();
            }

            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a part (again), on its port and data, and waits until it serves.</summary>
    public async Task StartAsync(string part)
    {
        KeepOutputOf(part);
        stopped.Remove(part);
        switch (part)
        {
            case "azurite":
                azurite = await AzuriteProcess.StartAsync(TestRepo.Layout.NodeBin("azurite"), azuritePorts, storageInMemory ? null : Path.Combine(dataFolder, "azurite"), CancellationToken.None);
                break;
            case "eventhubs":
                processes[part] = Cli(PartArguments.EventHubs(EventHubsPort, Path.Combine(dataFolder, "eventhubs"), EventHubsConfig()));
                await WaitListeningAsync(part, EventHubsPort, $"Local Event Hubs listening on port {EventHubsPort}");
                break;
            case "signalr":
                processes[part] = Cli(PartArguments.SignalR(SignalRPort));
                await WaitListeningAsync(part, SignalRPort, $"Now listening on: http://localhost:{SignalRPort}");
                break;
            case var instance when instancePorts.TryGetValue(instance, out var port):
                // Each instance keeps its name in the ownership records, so that one started again takes its partitions back.
                processes[part] = Cli(PartArguments.FunctionsHost(port, appFolder),
                    new Dictionary<string, string> { [HostJson.ProcessorIdentifierSetting] = $"{Environment.MachineName}-{part}" });
                await WaitForWorkerAsync(part, previous: null);
                break;
            default:
                throw new ArgumentException($"no part named '{part}'", nameof(part));
        }
    }

    /// <summary>SIGKILL, as a crash. The worker dies with its host only if the host stops it: killed, the host leaves it.</summary>
    public async Task KillAsync(string part)
    {
        var process = Process(part);
        stopped.Add(part);
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        if (part == "azurite")
        {
            KeepOutputOf(part);
            azurite = null;
        }
    }

    /// <summary>
    /// SIGKILL to an instance of the function app and its worker at once, as when the machine under it is lost: the
    /// partitions it owned stay its own until their ownership expires.
    /// </summary>
    public async Task KillInstanceAsync(string part)
    {
        var worker = await WorkerProcessIdAsync(part);
        await KillAsync(part);
        if (worker is { } pid)
        {
            ChildProcess.Signal(pid, 9);
        }
    }

    /// <summary>SIGTERM to an instance, as a scale-in or a deployment does: it finishes its batches and gives its partitions up.</summary>
    public async Task StopInstanceAsync(string part)
    {
        var process = Process(part);
        stopped.Add(part);
        process.Terminate();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A stop with SIGINT, after which Azurite saves its tables on the way out (otherwise it saves them only every 5 s).</summary>
    public async Task StopAzuriteAsync()
    {
        var process = Process("azurite");
        process.Interrupt();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        KeepOutputOf("azurite");
        azurite = null;
    }

    /// <summary>
    /// Parts that are not running though nothing stopped them, each with its exit code and its last output, so that a
    /// part that dies on its own says why.
    /// </summary>
    public IReadOnlyList<string> DeadParts()
    {
        var dead = processes.Where(p => p.Value.HasExited && !stopped.Contains(p.Key)).Select(p => Describe(p.Key, p.Value)).ToList();
        if (azurite?.Process is { HasExited: true } exited)
        {
            dead.Add(Describe("azurite", exited));
        }

        return dead;
    }

    public static string Describe(string part, ChildProcess process)
    {
        var lines = process.Text.Split('\n');
        return $"{part} exited by itself with {process.ExitCode}; its last output:\n{string.Join('\n', lines.TakeLast(30))}";
    }

    /// <summary>
    /// Writes what each part printed, over all its lives (a killed part's output too), to <c>{part}.log</c> in
    /// <paramref name="folder"/>; the host's log holds the worker's.
    /// </summary>
    public void WriteLogs(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var part in AllParts)
        {
            KeepOutputOf(part);
            File.WriteAllText(Path.Combine(folder, $"{part}.log"), earlierOutput.GetValueOrDefault(part)?.ToString() ?? "");
        }
    }

    // A part about to start again, or whose log is asked for, leaves its output so far with the parts' earlier output.
    private void KeepOutputOf(string part)
    {
        var current = part == "azurite" ? azurite?.Process : processes.GetValueOrDefault(part);
        if (current is not null && keptFrom.GetValueOrDefault(part) != current)
        {
            var log = earlierOutput.TryGetValue(part, out var kept) ? kept : earlierOutput[part] = new StringBuilder();
            log.AppendLine($"===== {part}, process {current.Id} =====").Append(current.Text);
            keptFrom[part] = current;
        }
    }

    public void Suspend(string part) => Process(part).Suspend();

    public void Resume(string part) => Process(part).Resume();

    /// <summary>The worker process's id of an instance (the first by default), as its host reports it.</summary>
    public async Task<int?> WorkerProcessIdAsync(string part = "host")
    {
        try
        {
            using var instance = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{instancePorts[part]}/"), Timeout = TimeSpan.FromSeconds(10) };
            var status = await instance.GetFromJsonAsync<JsonElement>("admin/host/status");
            return status.GetProperty("state").GetString() == "Running" && status.GetProperty("workerProcessId").ValueKind == JsonValueKind.Number
                ? status.GetProperty("workerProcessId").GetInt32()
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL to the function app's worker; the host starts a new one, which this waits for.</summary>
    public async Task KillWorkerAsync()
    {
        var worker = await WorkerProcessIdAsync() ?? throw new InvalidOperationException("No worker runs.");
        ChildProcess.Signal(worker, 9);
        await WaitForWorkerAsync("host", previous: worker);
    }

    public async ValueTask DisposeAsync()
    {
        // The hosts first, so that they stop their workers; a worker a host leaves (it was killed before) is killed after it.
        var workers = new List<int>();
        foreach (var instance in instancePorts.Keys.Where(processes.ContainsKey))
        {
            if (await WorkerProcessIdAsync(instance) is { } running)
            {
                workers.Add(running);
            }
        }

        if (frontDoor is not null)
        {
            await frontDoor.StopAsync();
            await frontDoor.DisposeAsync();
        }

        foreach (var part in (string[])[.. instancePorts.Keys, "signalr", "eventhubs"])
        {
            if (processes.Remove(part, out var process))
            {
                if (!process.HasExited)
                {
                    process.Terminate();
                    await process.WaitForExitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
                }

                await process.DisposeAsync();
            }
        }

        foreach (var pid in workers)
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // Gone with its host.
            }
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        Api.Dispose();
    }

    private ChildProcess Process(string part) => part == "azurite"
        ? azurite?.Process ?? throw new InvalidOperationException("Azurite is not running.")
        : processes[part];

    // The part's own word that it listens, not only the port: a free port taken by another process between choosing
    // and binding it would otherwise pass for the part.
    private async Task WaitListeningAsync(string part, int port, string listening)
    {
        await LoopbackPorts.WaitUntilListeningAsync(port, StartTimeout,
            () => processes[part].HasExited ? $"{part} exited with {processes[part].ExitCode}: {processes[part].Text}" : null, CancellationToken.None);
        await processes[part].WaitForAsync(listening, StartTimeout);
    }

    private async Task WaitForWorkerAsync(string part, int? previous)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (processes[part].HasExited)
            {
                throw new InvalidOperationException($"{part} exited with {processes[part].ExitCode}: {processes[part].Text}");
            }

            if (await WorkerProcessIdAsync(part) is { } worker && worker != previous)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No worker ran under {part} within {StartTimeout.TotalSeconds:0} s. The host said:\n{processes[part].Text}");
    }

    // A copy of the app's build output with its own local.settings.json, as the host reads it from its script root.
    private void PrepareApp()
    {
        var source = TestRepo.Layout.FunctionAppFolder;
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(appFolder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        var values = SettingDefaults.LocalValues.ToDictionary(v => v.Key, v => (string?)v.Value);
        var storage = LocalConnections.Storage($"{azuritePorts.Blob}", $"{azuritePorts.Queue}", $"{azuritePorts.Table}");
        AppConnections.Apply(values, AppConnections.For([]), new PartConnectionStrings(storage, EventHubsConnectionString, SignalRConnectionString));
        values["Logging__LogLevel__Default"] = "Warning";
        // Every follower of a fault run or the bench is the one operator: its limit is set for the run's load.
        values[SettingNames.RequestsPerSecond] = $"{FunctionAppServer.HighRequestRate}";
        values[SettingNames.RequestBurst] = $"{FunctionAppServer.HighRequestRate * 10}";
        values[SettingNames.ChannelsPerUser] = $"{FunctionAppServer.HighRequestRate * 10}";
        foreach (var (name, value) in appSettings)
        {
            values[name] = value;
        }

        File.WriteAllText(Path.Combine(appFolder, LocalSettings.FileName), JsonSerializer.Serialize(new { Values = values, Host = new { LocalHttpPort = HostPort, CORS = "*" } }));
    }

    private string EventHubsConfig()
    {
        var path = Path.Combine(dataFolder, "eventhubs.json");
        EventHubsOptions.WriteConfig(path, [new HubOptions { Name = Hub, Partitions = Partitions, ConsumerGroups = [SettingDefaults.EventHubConsumerGroup], Retention = TimeSpan.FromDays(1) }]);
        return path;
    }

    private static ChildProcess Cli(object[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        CliProcess.Start([.. arguments.Select(a => $"{a}")], environment);
}
