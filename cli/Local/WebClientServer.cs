using Microsoft.Extensions.FileProviders;

namespace Serverless.Cli.Local;

/// <summary>
/// Serves the web client (<c>web/</c>) as a static site, as Azure Storage's static website does: the page, the SignalR
/// browser client from npm at <c>lib/</c>, and <c>config.json</c> naming the function app's API.
/// </summary>
public static class WebClientServer
{
    public const string SignalRScript = "signalr.min.js";

    public static WebApplication Build(RepoLayout repo, int port, WebClientConfig config, Action<WebApplicationBuilder> configure)
    {
        var signalRBrowser = Path.Combine(repo.NodeModules, "@microsoft", "signalr", "dist", "browser");
        if (!File.Exists(Path.Combine(signalRBrowser, SignalRScript)))
        {
            throw new InvalidOperationException($"The SignalR browser client is missing ({signalRBrowser}): run 'npm ci' in the repository root.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://localhost:{port}");
        configure(builder);
        var app = builder.Build();
        app.MapGet("/config.json", () => Results.Json(config));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(repo.WebFolder) });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(repo.WebFolder) });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(signalRBrowser), RequestPath = "/lib" });
        return app;
    }
}

/// <summary>What the page reads from <c>config.json</c>: the base URL of the function app's HTTP API.</summary>
public sealed record WebClientConfig(string Api);
