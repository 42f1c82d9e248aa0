using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.SignalRService;

namespace Serverless.Testing;

/// <summary>The local SignalR Service, the same code <c>dotnet run --project emulators/SignalRService</c> starts, on a free port.</summary>
public sealed class SignalRServiceServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private SignalRServiceServer(WebApplication app, ServiceOptions options, int port)
    {
        this.app = app;
        Options = options;
        Port = port;
    }

    public ServiceOptions Options { get; }
    public int Port { get; }
    public string AccessKey => Options.AccessKey;
    public string ConnectionString => Options.ConnectionString(Port);
    public Uri Endpoint => new($"http://localhost:{Port}");
    public IServiceProvider Services => app.Services;

    /// <param name="tier">The tier whose connection quota it keeps: Standard (1,000) unless a test is about the quota.</param>
    public static async Task<SignalRServiceServer> StartAsync(int port = 0, string tier = "Standard")
    {
        var options = new ServiceOptions { Port = port, Host = "127.0.0.1", Tier = tier };
        var app = SignalRServiceApp.Build(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return new SignalRServiceServer(app, options, address.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
