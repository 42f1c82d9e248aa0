using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Contracts.Settings;
using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>
/// The web client (<c>serverless web</c>), whose <c>config.json</c> names the function app's API; with the development
/// issuer's settings it is also the page's local sign-in, so it gets those settings and no others.
/// </summary>
internal static class WebClient
{
    private static readonly string[] IssuerSettings = [SettingNames.AuthIssuer, SettingNames.AuthAudience, SettingNames.AuthSigningKey];

    public static IResourceBuilder<ProjectResource> AddWebClient(this IDistributedApplicationBuilder builder, LocalRun run, IResourceBuilder<ProjectResource> functions)
    {
        var port = run.Options.Ports.Web;
        var web = builder.AddProject<Projects.Serverless_Cli>("web")
            .WithHttpEndpoint(port, port, "http", isProxied: false);
        var http = web.GetEndpoint("http");
        web.WithArgs(context =>
            {
                foreach (var argument in PartArguments.WebClient(http.Property(EndpointProperty.TargetPort), functions.Api()))
                {
                    context.Args.Add(argument);
                }
            })
            .WithHttpHealthCheck("/config.json")
            .WaitFor(functions);
        // Where to look, once the page serves (the dashboard's address Aspire prints itself).
        builder.Eventing.Subscribe<ResourceReadyEvent>(web.Resource, (ready, _) =>
        {
            var logger = ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Serverless.AppHost");
            logger.LogInformation("The web client is ready: open http://localhost:{Port}/ (sign in as alice, bob or operator in its header).", port);
            return Task.CompletedTask;
        });
        foreach (var name in IssuerSettings)
        {
            if (run.Settings.GetValueOrDefault(name) is { } value)
            {
                web.WithEnvironment(name, value);
            }
        }

        return web;
    }
}
