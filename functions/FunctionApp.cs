using Microsoft.Extensions.Configuration.Memory;
using Serverless.Functions.Channels;
using Serverless.Functions.Health;
using Serverless.Functions.Ingest;
using Serverless.Functions.Latest;
using Serverless.Functions.Negotiate;
using Serverless.Functions.Push;
using Serverless.Functions.Settings;
using Serverless.Functions.Storage;
using Serverless.Functions.Subscribe;
using Serverless.Functions.Updates;
using Microsoft.Extensions.Options;

namespace Serverless.Functions;

/// <summary>The function app: a Functions custom handler serving Ingest and the HTTP functions.</summary>
public static class FunctionApp
{
    /// <summary>Set by the Functions host: the port it will call the handler on (AZURE-CONTRACTS §1.1).</summary>
    public const string HostPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const int DefaultLocalPort = 7071;

    // Ingest receives a whole batch in one request: up to maxEventBatchSize events of up to 1 MB, double-encoded.
    private const long MaxRequestBodyBytes = 256L * 1024 * 1024;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        AddLocalSettings(builder);
        // Framework chatter (every request, every outgoing call) only when asked for in Logging__LogLevel__*.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        configure?.Invoke(builder);

        var port = ListenPort(builder.Configuration);
        builder.WebHost.UseKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");

        var services = builder.Services;
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Bind);
        services.AddValidatedOptions<SignalROptions>(SignalROptions.Bind);
        services.AddValidatedOptions<IngestOptions>(IngestOptions.Bind);
        services.AddValidatedOptions<NegotiateOptions>(NegotiateOptions.Bind);
        services.AddValidatedOptions<EventHubTriggerOptions>(EventHubTriggerOptions.Bind);
        services.AddProblemDetails();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<StorageTables>();
        services.AddSingleton<UpdateLog>();
        services.AddSingleton<DeadLetters>();
        services.AddHttpClient<SignalRRestClient>(http => http.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<UpdatePusher>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(provider => new UpdateRules(provider.GetRequiredService<IOptions<IngestOptions>>().Value));
        services.AddSingleton<IngestPipeline>();

        var cors = builder.Configuration["Host:CORS"];
        if (!string.IsNullOrWhiteSpace(cors))
        {
            services.AddCors(options => options.AddDefaultPolicy(policy => Cors(policy, cors, builder.Configuration["Host:CORSCredentials"])));
        }

        var app = builder.Build();
        if (!string.IsNullOrWhiteSpace(cors))
        {
            app.UseCors();
        }

        app.UseStatusCodePages();
        // The host polls / until the handler answers (AZURE-CONTRACTS §1.1).
        app.MapGet("/", () => Results.Text("Serverless function app"));
        app.MapIngest();
        app.MapNegotiate();
        app.MapSubscribe();
        app.MapUpdates();
        app.MapLatest();
        app.MapChannels();
        app.MapHealth();
        return app;
    }

    /// <summary>
    /// Core Tools' <c>local.settings.json</c> from the app's folder, below every other source so that
    /// environment variables (app settings in Azure) win.
    /// </summary>
    private static void AddLocalSettings(WebApplicationBuilder builder)
    {
        var path = Path.Combine(builder.Environment.ContentRootPath, LocalSettingsFile.FileName);
        if (File.Exists(path))
        {
            builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettingsFile.Read(path) });
        }
    }

    private static int ListenPort(IConfiguration configuration)
    {
        var text = configuration[HostPortVariable] ?? configuration["Handler:Port"];
        if (text is null)
        {
            return DefaultLocalPort;
        }

        return int.TryParse(text, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{(configuration[HostPortVariable] is null ? "Handler__Port" : HostPortVariable)} is '{text}', which is not a TCP port.");
    }

    private static void Cors(Microsoft.AspNetCore.Cors.Infrastructure.CorsPolicyBuilder policy, string origins, string? credentials)
    {
        var list = origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(list);
            if (bool.TryParse(credentials, out var allow) && allow)
            {
                policy.AllowCredentials();
            }
        }

        policy.AllowAnyHeader().AllowAnyMethod();
    }
}
