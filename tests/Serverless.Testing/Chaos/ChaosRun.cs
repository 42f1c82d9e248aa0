using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Logging;
using Serverless.Contracts.Api;
using Serverless.Local.Demo;
using Serverless.Local.Publishing;
using Serverless.Local.Stack;
using Serverless.Tooling;
using Serverless.Updates.Client;

namespace Serverless.Testing.Chaos;

/// <summary>How long and how hard a fault run goes.</summary>
public sealed record ChaosOptions
{
    public double Rate { get; init; } = 200;
    public int Channels { get; init; } = 50;

    /// <summary>Steady publishing before the first fault and after each recovery.</summary>
    public TimeSpan Steady { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a killed part stays down before it is started again.</summary>
    public TimeSpan Down { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the cut-off part stays stopped (SIGSTOP) before it runs again (SIGCONT).</summary>
    public TimeSpan CutOff { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the end may take: every confirmed update stored, every follower at every channel's head.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Bad events (of every kind, with good ones among them) to mix in over the run; 0 for none.</summary>
    public int BadEvents { get; init; }

    /// <summary>How many of the channels the web page follows (its record of arrivals is bounded).</summary>
    public int PageChannels { get; init; } = 5;

    /// <summary>Azurite saves its tables only every 5 s: a SIGKILL loses acknowledged writes, which Azure never does. Off: Azurite is stopped with SIGINT.</summary>
    public bool KillAzurite { get; init; }

    /// <summary>Where to write each part's output at the end (<c>{part}.log</c>); none when null.</summary>
    public string? LogFolder { get; init; }

    /// <summary>Which faults: each part in turn, or the function app's instances (added, stopped, killed, two at once).</summary>
    public ChaosMatrix Matrix { get; init; } = ChaosMatrix.Parts;

    /// <summary>Instances of the function app at the start; the instance matrix adds one more.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Settings for the function app beside the local ones.</summary>
    public IReadOnlyDictionary<string, string>? AppSettings { get; init; }

    /// <summary>The short run the tests use: each fault once, a few hundred updates.</summary>
    public static ChaosOptions Short { get; } = new()
    {
        Rate = 40,
        Channels = 8,
        Steady = TimeSpan.FromSeconds(2),
        Down = TimeSpan.FromSeconds(2),
        CutOff = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// The instance rows: two instances, a third added under load, then one stopped, one killed, and two killed at once,
    /// each started again. Balancing is made quick (1 s cycles, 6 s ownership, as app settings override host.json) so
    /// that a killed instance's partitions move within the run.
    /// </summary>
    public static ChaosOptions InstanceMatrix { get; } = Short with
    {
        Matrix = ChaosMatrix.Instances,
        Instances = 2,
        Down = TimeSpan.FromSeconds(3),
        AppSettings = new Dictionary<string, string>
        {
            ["AzureFunctionsJobHost__extensions__eventHubs__loadBalancingUpdateInterval"] = "00:00:01",
            ["AzureFunctionsJobHost__extensions__eventHubs__partitionOwnershipExpirationInterval"] = "00:00:06",
        },
    };
}

public enum ChaosMatrix
{
    /// <summary>Each part killed and started again in turn, Azurite cut off, the publisher killed.</summary>
    Parts,

    /// <summary>The function app's instances: one added under load, one stopped, one killed, two killed at once.</summary>
    Instances,
}

/// <summary>
/// One fault of a run: how long until the first update was stored and pushed after it, until every channel had an update
/// stored after it (the longest a partition went unprocessed), and how many updates were confirmed before it began.
/// </summary>
public sealed record FaultResult(string Fault, TimeSpan? FirstStored, TimeSpan? FirstPushed, int ConfirmedBefore, TimeSpan? EveryChannelStored = null);

/// <summary>
/// The fault matrix on the whole local pipeline: a journaled publisher process sends synthetic load (keys, rising
/// versions) through the official producer while .NET followers (WebSockets and long polling) and the web page in
/// Chromium stay subscribed; each
/// part is killed with SIGKILL and started again in turn, one is cut off with SIGSTOP, and the publisher is killed
/// mid-run and started again. At the end every update published with success must be stored exactly once, in order,
/// with sequence numbers 1..N per channel, every follower must have applied every update of its channels exactly once
/// and in order, and nothing may be dead-lettered.
/// </summary>
public sealed class ChaosRun(ChaosOptions options, Action<string> report)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> deaths = [];
    private ChildProcess publisher = null!;

    public async Task<ChaosReport> RunAsync()
    {
        var data = Directory.CreateTempSubdirectory("chaos-").FullName;
        var journal = Path.Combine(data, "journal");
        try
        {
            report($"Starting every part as its own process (data in {data})…");
            var instances = options.Matrix == ChaosMatrix.Instances ? options.Instances + 1 : options.Instances;
            await using var stack = await ProcessStack.StartAsync(data, appSettings: options.AppSettings, instances: options.Instances, maxInstances: instances);
            try
            {
                var channels = Enumerable.Range(0, options.Channels).Select(LoadGenerator.Channel).ToList();
                var webPort = LoopbackPorts.Free();
                await using var web = WebClientServer.Build(TestRepo.Layout, webPort, stack.Api.BaseAddress!.ToString().TrimEnd('/') + "/api", builder => builder.Logging.ClearProviders(), TestCallers.Issuer);
                await web.StartAsync();
                await using var webSockets = await ChaosFollower.StartAsync("WebSockets (.NET)", stack.Api, HttpTransportType.WebSockets, channels);
                await using var longPolling = await ChaosFollower.StartAsync("long polling (.NET)", stack.Api, HttpTransportType.LongPolling, channels);
                await using var page = await ChaosPage.OpenAsync(new Uri($"http://localhost:{webPort}/"), [.. channels.Take(options.PageChannels)]);
                IChaosFollower[] followers = [webSockets, longPolling, page];

                publisher = StartPublisher(stack, journal);
                var faults = new List<FaultResult>();
                using var stopFlood = new CancellationTokenSource();
                var flood = new BadInputFlood(stack.EventHubsConnectionString, ProcessStack.Hub, options.BadEvents);
                var flooding = flood.RunAsync(options.Steady * 8, stopFlood.Token);
                try
                {
                    await SteadyAsync();
                    if (options.Matrix == ChaosMatrix.Instances)
                    {
                        await InstanceFaultsAsync(stack, followers, journal, faults, ProcessStack.InstanceNames(instances));
                    }
                    else
                    {
                        await PartFaultsAsync(stack, followers, journal, faults);
                    }
                }
                finally
                {
                    stopFlood.Cancel();
                    await flooding;
                    NoteDeaths(stack);
                    report("Stopping the publisher…");
                    publisher.Terminate();
                    await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60));
                    await publisher.DisposeAsync();
                }

                report("Waiting until every confirmed update is stored and every follower has it…");
                var settled = await SettleAsync(stack, followers, journal);
                NoteDeaths(stack, publisherRuns: false);
                return await ChaosReport.CheckAsync(stack, followers, journal, channels, faults, settled, clock.Elapsed, flood, deaths);
            }
            finally
            {
                if (options.LogFolder is { } logs)
                {
                    stack.WriteLogs(logs);
                    report($"Each part's output is in {logs}.");
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task PartFaultsAsync(ProcessStack stack, IChaosFollower[] followers, string journal, List<FaultResult> faults)
    {
        foreach (var part in new[] { "worker", "host", "eventhubs", "signalr", "azurite" })
        {
            faults.Add(await FaultAsync(KillLabel(part), stack, followers, journal, () => KillAndRestartAsync(stack, part)));
        }

        faults.Add(await FaultAsync($"azurite cut off (SIGSTOP {options.CutOff.TotalSeconds:0} s)", stack, followers, journal, async () =>
        {
            stack.Suspend("azurite");
            await Task.Delay(options.CutOff);
            stack.Resume("azurite");
        }));
        faults.Add(await FaultAsync("publisher killed mid-run (SIGKILL)", stack, followers, journal, async () =>
        {
            publisher.Kill();
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await publisher.DisposeAsync();
            await Task.Delay(options.Down);
            publisher = StartPublisher(stack, journal);
        }));
    }

    // A stopped or killed instance stays down for a row of its own, in which the others take its partitions: given up
    // at once by the stopped one, after the ownership expires for the killed one. Started again, each takes its share.
    private async Task InstanceFaultsAsync(ProcessStack stack, IChaosFollower[] followers, string journal, List<FaultResult> faults, IReadOnlyList<string> instances)
    {
        var (first, second, added) = (instances[0], instances[1], instances[^1]);
        faults.Add(await FaultAsync("instance added under load", stack, followers, journal, () => stack.StartAsync(added)));
        faults.Add(await FaultAsync("instance stopped (SIGTERM)", stack, followers, journal, () => stack.StopInstanceAsync(first)));
        faults.Add(await FaultAsync("the stopped instance started again", stack, followers, journal, () => stack.StartAsync(first)));
        faults.Add(await FaultAsync("instance killed (SIGKILL, with its worker)", stack, followers, journal, () => stack.KillInstanceAsync(second)));
        faults.Add(await FaultAsync("the killed instance started again", stack, followers, journal, () => stack.StartAsync(second)));
        faults.Add(await FaultAsync("two instances killed at once and started again", stack, followers, journal, async () =>
        {
            await Task.WhenAll(stack.KillInstanceAsync(first), stack.KillInstanceAsync(added));
            await Task.Delay(options.Down);
            await Task.WhenAll(stack.StartAsync(first), stack.StartAsync(added));
        }));
    }

    private string KillLabel(string part) => part switch
    {
        "worker" => "function app worker killed (SIGKILL)",
        "azurite" when !options.KillAzurite => "Azurite stopped (SIGINT) and started again",
        _ => $"{part} killed (SIGKILL) and started again",
    };

    private ChildProcess StartPublisher(ProcessStack stack, string journal) =>
        CliProcess.Start("publish", "--load", $"{options.Channels}", "--journal", journal, "--rate", $"{options.Rate}",
            "--connection", stack.EventHubsConnectionString, "--hub", ProcessStack.Hub);

    private Task SteadyAsync() => Task.Delay(options.Steady);

    private async Task KillAndRestartAsync(ProcessStack stack, string part)
    {
        if (part == "worker")
        {
            await stack.KillWorkerAsync();
            return;
        }

        if (part == "azurite" && !options.KillAzurite)
        {
            await stack.StopAzuriteAsync();
        }
        else
        {
            await stack.KillAsync(part);
        }

        await Task.Delay(options.Down);
        await stack.StartAsync(part);
    }

    /// <summary>Runs a fault, then measures from its end the time to the first update stored and the first pushed after it.</summary>
    private async Task<FaultResult> FaultAsync(string name, ProcessStack stack, IChaosFollower[] followers, string journal, Func<Task> fault)
    {
        report($"{clock.Elapsed:mm\\:ss} {name}…");
        var before = PublishJournal.ReadConfirmed(journal).Count;
        await fault();
        var recovered = Stopwatch.StartNew();
        var since = DateTime.UtcNow;
        var heads = await HeadsAsync(stack);
        TimeSpan? stored = null, pushed = null, everyChannel = null;
        while (recovered.Elapsed < TimeSpan.FromSeconds(120) && (stored is null || pushed is null || everyChannel is null))
        {
            if (heads is not null && await HeadsAsync(stack) is { } now)
            {
                var advanced = heads.Keys.Count(c => now.GetValueOrDefault(c) > heads[c]);
                stored ??= advanced > 0 ? recovered.Elapsed : null;
                everyChannel ??= advanced == heads.Count ? recovered.Elapsed : null;
            }

            heads ??= await HeadsAsync(stack);
            if (pushed is null && (await Task.WhenAll(followers.Select(f => f.LastPushAsync()))).Any(last => last > since))
            {
                pushed = recovered.Elapsed;
            }

            await Task.Delay(100);
        }

        report($"{clock.Elapsed:mm\\:ss}   recovered: first stored after {Seconds(stored)}, first pushed after {Seconds(pushed)}, every channel stored after {Seconds(everyChannel)}");
        NoteDeaths(stack);
        await SteadyAsync();
        return new FaultResult(name, stored, pushed, before, everyChannel);
    }

    /// <summary>Reports each part found dead that no fault stopped, once, and keeps it for the verdict.</summary>
    private void NoteDeaths(ProcessStack stack, bool publisherRuns = true)
    {
        var dead = stack.DeadParts().ToList();
        if (publisherRuns && publisher.HasExited)
        {
            dead.Add(ProcessStack.Describe("publisher", publisher));
        }

        foreach (var death in dead.Where(d => !deaths.Contains(d)))
        {
            report(death);
            deaths.Add(death);
        }
    }

    private static string Seconds(TimeSpan? span) => span is { } s ? $"{s.TotalSeconds:0.0} s" : "never";

    private static async Task<Dictionary<string, long>?> HeadsAsync(ProcessStack stack)
    {
        try
        {
            var list = await UpdatesApi.ListChannelsAsync(stack.Api, "load.");
            return list.Channels.ToDictionary(c => c.Channel, c => c.Head);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private async Task<bool> SettleAsync(ProcessStack stack, IChaosFollower[] followers, string journal)
    {
        var confirmed = PublishJournal.ReadConfirmed(journal).Count;
        var deadline = DateTime.UtcNow + options.Settle;
        while (DateTime.UtcNow < deadline)
        {
            if (await HeadsAsync(stack) is { } heads && heads.Values.Sum() >= confirmed && await AllCaughtUpAsync(followers, heads))
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }

    private static async Task<bool> AllCaughtUpAsync(IChaosFollower[] followers, Dictionary<string, long> heads)
    {
        foreach (var follower in followers)
        {
            var applied = await follower.AppliedAsync();
            if (follower.Channels.Any(c => (applied.GetValueOrDefault(c) is { Length: > 0 } seen ? seen[^1].Seq : 0) < heads.GetValueOrDefault(c)))
            {
                return false;
            }
        }

        return true;
    }
}
