using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Functions;

namespace Serverless.Testing;

/// <summary>The real function app on Kestrel, on a free loopback port, with the settings a test gives it.</summary>
public sealed class FunctionAppServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FunctionAppServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The settings of local.settings.sample.json that tests don't care about, so that the app starts.</summary>
    public static Dictionary<string, string?> Settings(string storageConnectionString, string signalRConnectionString) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["AzureSignalRConnectionString"] = signalRConnectionString,
        ["EventHubConnection"] = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
        ["EventHubName"] = "updates",
        ["EventHubConsumerGroup"] = "ingest",
        ["Handler:Port"] = "0",
    };

    public static async Task<FunctionAppServer> StartAsync(IDictionary<string, string?> settings)
    {
        var app = Build(settings);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new FunctionAppServer(app, new Uri(address));
    }

    /// <summary>The app as it would start with these settings and nothing else (no environment, no local.settings.json).</summary>
    public static WebApplication Build(IDictionary<string, string?> settings) =>
        FunctionApp.Build([], builder =>
        {
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
