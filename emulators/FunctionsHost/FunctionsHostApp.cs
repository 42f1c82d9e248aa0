using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.EventHubs;
using Serverless.FunctionsHost.Http;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Timers;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost;

/// <summary>
/// The Functions host stand-in: a gRPC endpoint the worker connects to (HTTP/2 cleartext on loopback), the app's
/// HTTP port for its HTTP triggers, and the Event Hubs triggers, over a worker it starts and keeps running.
/// </summary>
public static class FunctionsHostApp
{
    public const long MaxRequestBodyBytes = 100 * 1024 * 1024;

    public static WebApplication Build(FunctionsHostOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var root = ScriptRoot.Read(options.ScriptRoot, options.Settings);
        var grpcPort = FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            // Azure's limit for an HTTP trigger's request (docs/functions-host.md#http-limits): a larger body is
            // answered 413 here, before the worker reads it; below it, the worker applies its own limits.
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        foreach (var (category, level) in root.Host.LogLevels)
        {
            builder.Logging.AddFilter(category.Equals("default", StringComparison.OrdinalIgnoreCase) ? null : category, level);
        }

        configure?.Invoke(builder);

        var services = builder.Services;
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        services.AddHttpForwarder();
        services.AddCors();
        services.AddSingleton(options);
        services.AddSingleton(root);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BindingExpressions>();
        services.AddSingleton<SignalRConnectionInfoBinding>();
        services.AddSingleton<WorkerSupervisor>();
        services.AddHostedService(provider => provider.GetRequiredService<WorkerSupervisor>());
        services.AddSingleton<FunctionInvoker>();
        services.AddSingleton<HttpTriggerEndpoint>();
        services.AddHostedService<EventHubTriggerListener>();
        services.AddHostedService<TimerTriggerListener>();

        var app = builder.Build();
        if (root.Host.Unused.Count > 0)
        {
            HostJsonLog.Unused(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Host.Startup"), string.Join(", ", root.Host.Unused));
        }

        app.Services.GetRequiredService<WorkerSupervisor>().GrpcUri = new Uri($"http://127.0.0.1:{grpcPort}/");
        if (!string.IsNullOrWhiteSpace(options.Cors))
        {
            var origins = options.Cors.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            app.UseCors(cors =>
            {
                if (origins.Contains("*"))
                {
                    cors.AllowAnyOrigin();
                }
                else
                {
                    cors.WithOrigins(origins);
                    if (options.CorsCredentials)
                    {
                        cors.AllowCredentials();
                    }
                }

                cors.AllowAnyHeader().AllowAnyMethod();
            });
        }

        app.MapGrpcService<FunctionRpcService>().RequireHost($"*:{grpcPort}");
        app.MapGet("/admin/host/status", (WorkerSupervisor supervisor) => Results.Ok(HostStatus.Of(supervisor)));
        // As the Functions host's ping: what a front end asks before it sends an instance requests; 503 until its worker
        // is ready, and once the host is stopping.
        app.MapGet("/admin/host/ping", (WorkerSupervisor supervisor, IHostApplicationLifetime lifetime) =>
            supervisor.WaitForWorkerAsync(CancellationToken.None).IsCompletedSuccessfully && !lifetime.ApplicationStopping.IsCancellationRequested
                ? Results.Ok()
                : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        var http = app.Services.GetRequiredService<HttpTriggerEndpoint>();
        app.Map("/{**path}", http.HandleAsync);
        return app;
    }

    /// <summary>
    /// Starts the host and waits until its worker has loaded the functions; if the first worker fails to start, says
    /// why (the host goes on trying, as Core Tools does, but a caller starting a whole stack wants to know now).
    /// </summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.StartAsync(cancellationToken);
        var supervisor = app.Services.GetRequiredService<WorkerSupervisor>();
        var options = app.Services.GetRequiredService<FunctionsHostOptions>();
        // Time for the worker to start, connect and load: its connection has WorkerStartTimeout, each request a minute.
        var failure = await supervisor.FirstAttempt.WaitAsync(options.WorkerStartTimeout + TimeSpan.FromMinutes(2), cancellationToken);
        if (failure is not null)
        {
            throw new FunctionAppStartException($"The function app did not start: {failure}");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

internal static partial class HostJsonLog
{
    [LoggerMessage(EventId = 1, EventName = "HostJsonUnused", Level = LogLevel.Warning,
        Message = "host.json settings this host does not use, so they change nothing here (they may in Azure): {Settings}")]
    public static partial void Unused(ILogger logger, string settings);
}

/// <summary>The first worker of the host did not start; the message says why (its exit code and last output, or the timeout).</summary>
internal sealed class FunctionAppStartException(string message) : Exception(message);

/// <summary><c>GET /admin/host/status</c>: whether the worker is running and which functions it loaded.</summary>
internal sealed record HostStatus(string State, int? WorkerProcessId, IReadOnlyList<string> Functions, string? LastError)
{
    public static HostStatus Of(WorkerSupervisor supervisor)
    {
        var worker = supervisor.WaitForWorkerAsync(CancellationToken.None);
        return worker.IsCompletedSuccessfully
            ? new HostStatus("Running", supervisor.WorkerProcessId, [.. worker.Result.Functions.Select(f => f.Name)], null)
            : new HostStatus("Initializing", supervisor.WorkerProcessId, [], supervisor.LastStartFailure);
    }
}
