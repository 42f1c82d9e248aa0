using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>
/// The function app's build output under the Functions host stand-in (<c>serverless host</c>), which starts its worker.
/// The app's settings are the local settings file's, with the settings that name a part
/// (<see cref="AppConnections"/>) set by reference to that part; the host passes them, and the AppHost's OpenTelemetry
/// variables, on to the worker, as app settings are environment variables in Azure.
/// </summary>
internal static class FunctionApp
{
    public static IResourceBuilder<ProjectResource> AddFunctionApp(this IDistributedApplicationBuilder builder, LocalRun run, params PartConnection[] parts)
    {
        var port = run.Options.Ports.Functions;
        var host = builder.AddProject<Projects.Serverless_Cli>("functions")
            .WithHttpEndpoint(port, port, "http", isProxied: false);
        var http = host.GetEndpoint("http");
        host.WithArgs(context =>
            {
                foreach (var argument in PartArguments.FunctionsHost(http.Property(EndpointProperty.TargetPort), run.FunctionAppFolder))
                {
                    context.Args.Add(argument);
                }
            })
            .WithHttpHealthCheck("/api/health");
        var connections = AppConnections.For(run.Triggers.Select(t => t.ConnectionSetting));
        foreach (var (name, value) in run.Settings.Where(s => !connections.Any(c => string.Equals(c.Setting, s.Key, StringComparison.OrdinalIgnoreCase))))
        {
            host.WithEnvironment(name, value ?? "");
        }

        foreach (var connection in connections)
        {
            var part = parts.Single(p => p.Part == connection.Part);
            host.WithEnvironment(connection.Setting, part.ConnectionString).WaitFor(part.Resource);
        }

        return host;
    }

    /// <summary>The app's API base address, by reference to the host's endpoint.</summary>
    public static ReferenceExpression Api(this IResourceBuilder<ProjectResource> host) =>
        PartConnection.WithPorts(ports => LocalConnections.Api(ports[0]), host.GetEndpoint("http"));
}
