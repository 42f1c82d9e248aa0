using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.Worker;
using Serverless.FunctionsHost;
using Serverless.Local.Topology;
using Serverless.Tooling;

namespace Serverless.Testing;

/// <summary>
/// The function app as it runs: its build output started as a real worker process by the Functions host stand-in (the
/// same code as <c>dotnet run --project emulators/FunctionsHost</c>), on a free port, with the settings a test gives it.
/// </summary>
public sealed class FunctionAppServer : IAsyncDisposable
{
    private FunctionAppServer(WebApplication host, Uri baseAddress, CapturingLoggerProvider log)
    {
        Host = host;
        BaseAddress = baseAddress;
        Log = log;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) }.As(TestCallers.OperatorToken());
    }

    public WebApplication Host { get; }
    public Uri BaseAddress { get; }

    /// <summary>A client of the API as an operator, who may follow every channel.</summary>
    public HttpClient Http { get; }

    /// <summary>What the host and the worker logged.</summary>
    public CapturingLoggerProvider Log { get; }

    public WorkerSupervisor Supervisor => Host.Services.GetRequiredService<WorkerSupervisor>();

    /// <summary>
    /// The settings of local.settings.sample.json that tests don't care about, so that the app starts: its identity and
    /// channel rules, and request limits high enough for the tests that share one app (the limits have a test of their own).
    /// </summary>
    public static Dictionary<string, string?> Settings(string storageConnectionString, string signalRConnectionString, string? eventHubsConnectionString = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [SettingNames.AuthIssuer] = SettingDefaults.LocalIssuer,
            [SettingNames.AuthAudience] = SettingDefaults.ApiAudience,
            [SettingNames.AuthSigningKey] = SettingDefaults.LocalSigningKey,
            [SettingNames.PublicChannels] = SettingDefaults.PublicChannels,
            [SettingNames.RoleChannels] = SettingDefaults.RoleChannels,
            [SettingNames.UserChannels] = SettingDefaults.UserChannels,
            [SettingNames.RequestsPerSecond] = $"{HighRequestRate}",
            [SettingNames.RequestBurst] = $"{HighRequestRate * 10}",
            [SettingNames.ChannelsPerUser] = $"{HighRequestRate * 10}",
            [SettingNames.EventHubName] = SettingDefaults.EventHubName,
            [SettingNames.EventHubConsumerGroup] = SettingDefaults.EventHubConsumerGroup,
            [SettingNames.SignalRHubName] = SettingDefaults.SignalRHubName,
            ["Logging__LogLevel__Default"] = "Information",
        };
        AppConnections.Apply(settings, AppConnections.For([]),
            new PartConnectionStrings(storageConnectionString, eventHubsConnectionString ?? SettingDefaults.LocalEventHubConnection(), signalRConnectionString));
        return settings;
    }

    /// <summary>Requests per second per client for apps whose tests are not about the limits.</summary>
    public const int HighRequestRate = 10_000;

    /// <summary>Builds the host for the app; <see cref="StartAsync(FunctionsHostOptions)"/> runs it.</summary>
    public static FunctionsHostOptions Options(IDictionary<string, string?> settings, string? scriptRoot = null) =>
        new(scriptRoot ?? TestRepo.Layout.FunctionAppFolder, LoopbackPorts.Free(), new Dictionary<string, string?>(settings), Cors: "*");

    public static Task<FunctionAppServer> StartAsync(IDictionary<string, string?> settings) => StartAsync(Options(settings));

    public static async Task<FunctionAppServer> StartAsync(FunctionsHostOptions options)
    {
        var log = new CapturingLoggerProvider();
        var host = FunctionsHostApp.Build(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(log).SetMinimumLevel(LogLevel.Information);
            // HOST_TEST_LOG_LEVEL=Information shows what the host and the worker say while a test runs.
            var console = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("HOST_TEST_LOG_LEVEL"), out var level) ? level : LogLevel.Error;
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(l => l >= console);
        });
        try
        {
            // Off the test framework's synchronization context, as the host runs in its own process.
            await Task.Run(() => FunctionsHostApp.StartAsync(host));
        }
        catch
        {
            await host.StopAsync();
            await host.DisposeAsync();
            throw;
        }

        return new FunctionAppServer(host, new Uri($"http://127.0.0.1:{options.Port}"), log);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync();
        await Host.DisposeAsync();
    }
}
