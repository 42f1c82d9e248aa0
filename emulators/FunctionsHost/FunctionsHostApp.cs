using System.Text.Json;

namespace Serverless.FunctionsHost;

/// <summary>How the host stand-in runs: the app folder, its port and the app settings (from local.settings.json).</summary>
/// <param name="HandlerUrl">A handler already running to attach to, instead of starting the app's executable.</param>
public sealed record FunctionsHostOptions(string AppFolder, int Port, IReadOnlyDictionary<string, string?> Settings, string? Cors = null, Uri? HandlerUrl = null)
{
    public const int DefaultPort = 7071;

    /// <summary>Reads <c>Values</c> and <c>Host.CORS</c> of a local.settings.json; environment variables win, as with Core Tools.</summary>
    public static (Dictionary<string, string?> Settings, string? Cors) ReadSettingsFile(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var values))
        {
            foreach (var value in values.EnumerateObject())
            {
                settings[value.Name] = Environment.GetEnvironmentVariable(value.Name) ?? (value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : value.Value.GetRawText());
            }
        }

        var cors = document.RootElement.TryGetProperty("Host", out var host) && host.TryGetProperty("CORS", out var c) ? c.GetString() : null;
        return (settings, cors);
    }
}

/// <summary>The Functions host stand-in: starts the custom handler, forwards HTTP functions, runs Event Hubs triggers.</summary>
public static class FunctionsHostApp
{
    public static WebApplication Build(FunctionsHostOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var definition = FunctionAppDefinition.Read(options.AppFolder, options.Settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        builder.Services.AddSingleton(definition);
        builder.Services.AddSingleton(options.Settings);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<CustomHandlerProcess>();
        builder.Services.AddHostedService<EventHubTriggerListener>();
        builder.Services.AddCors();

        var app = builder.Build();
        if (!string.IsNullOrWhiteSpace(options.Cors))
        {
            var origins = options.Cors.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            app.UseCors(cors => (origins.Contains("*") ? cors.AllowAnyOrigin() : cors.WithOrigins(origins)).AllowAnyHeader().AllowAnyMethod());
        }

        app.MapForwarding(definition, app.Services.GetRequiredService<CustomHandlerProcess>());
        return app;
    }

    /// <summary>Starts the handler first (hosted services need it), then the host.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<CustomHandlerProcess>().StartAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
    }
}
