using Microsoft.Extensions.Configuration;
using Serverless.Contracts.Local;
using Serverless.FunctionsHost.App;
using Serverless.Local.Stack;
using Serverless.Tooling;

namespace Serverless.AppHost;

/// <summary>
/// What the AppHost reads before it declares the parts: the clone, where data stays, the function app's build output,
/// its settings (<c>functions/local.settings.json</c>, else <c>local.settings.sample.json</c>) and its Event Hubs
/// triggers, and the ports and options given on the command line or in the environment (docs/local.md#options).
/// </summary>
internal sealed record LocalRun(RepoLayout Repo, string DataFolder, IReadOnlyDictionary<string, string?> Settings, IReadOnlyList<AppEventHubTrigger> Triggers, LocalRunOptions Options)
{
    public string FunctionAppFolder => Repo.FunctionAppFolder;

    public static async Task<LocalRun> PrepareAsync(IConfiguration configuration)
    {
        var repo = RepoLayout.Find();
        var options = LocalRunOptions.Bind(configuration);
        var settingsFile = File.Exists(repo.UserSettings) ? repo.UserSettings : repo.SettingsSample;
        var settings = LocalSettings.Read(settingsFile).Values;
        var triggers = AppEventHubTrigger.Read(repo.FunctionAppFolder, settings);
        await NodePackages.EnsureInstalledAsync(repo, Console.WriteLine, CancellationToken.None);
        return new LocalRun(repo, Path.GetFullPath(options.Data ?? repo.DefaultDataFolder), settings, triggers, options);
    }
}

/// <summary>The AppHost's options: <c>--Ports:Web 8081</c>, <c>--Demo:Rate 0</c> and so on, or <c>Ports__Web</c> in the environment.</summary>
internal sealed class LocalRunOptions
{
    public string? Data { get; set; }
    public LocalRunPorts Ports { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public SignalROptions SignalR { get; set; } = new();
    public int Partitions { get; set; } = 4;

    public static LocalRunOptions Bind(IConfiguration configuration)
    {
        var options = new LocalRunOptions();
        configuration.Bind(options);
        return options.Demo.Rate >= 0 && options.Partitions is > 0 and <= 32
            ? options
            : throw new InvalidOperationException("Demo:Rate must be 0 or more (0: no demo feed), and Partitions from 1 to 32.");
    }
}

internal sealed class LocalRunPorts
{
    /// <summary>Azurite's Blob port; Queue and Table take the next two.</summary>
    public int Storage { get; set; } = LocalPorts.Storage;
    public int EventHubs { get; set; } = LocalPorts.EventHubs;
    public int SignalR { get; set; } = LocalPorts.SignalR;
    public int Functions { get; set; } = LocalPorts.FunctionsHost;
    public int Web { get; set; } = LocalPorts.Web;
}

internal sealed class DemoOptions
{
    public double Rate { get; set; } = 5;
}

internal sealed class SignalROptions
{
    public string Tier { get; set; } = "Free";
    public int Units { get; set; } = 1;
}
