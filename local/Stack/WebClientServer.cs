using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Serverless.Infra.Model;
using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>
/// Serves the web client as Azure Storage's static website does in a deployed stack, with the same files
/// (<see cref="WebSiteFiles"/>): the page from <c>web/</c>, the SignalR browser client from npm at <c>lib/</c>, and
/// <c>config.json</c> naming the function app's API.
/// </summary>
public static class WebClientServer
{
    public static WebApplication Build(RepoLayout repo, int port, string apiBase, Action<WebApplicationBuilder> configure)
    {
        var signalRClient = repo.SignalRBrowserClient;
        if (!File.Exists(signalRClient))
        {
            throw new InvalidOperationException($"The SignalR browser client is missing ({signalRClient}): run 'npm ci' in the repository root.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://localhost:{port}");
        configure(builder);
        var app = builder.Build();
        var config = WebSiteFiles.ConfigJson(apiBase);
        app.MapGet("/" + WebSiteFiles.ConfigFile, () => Results.Text(config, "application/json"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(repo.Web) });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(repo.Web) });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(signalRClient)!),
            RequestPath = "/" + Path.GetDirectoryName(WebSiteFiles.SignalRScript),
        });
        return app;
    }
}
