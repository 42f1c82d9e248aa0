using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>The local SignalR Service (<c>serverless signalr</c>) in serverless mode, keeping the chosen tier's connection quota.</summary>
internal static class SignalR
{
    public static PartConnection AddLocalSignalR(this IDistributedApplicationBuilder builder, LocalRun run)
    {
        var port = run.Options.Ports.SignalR;
        var signalR = builder.AddProject<Projects.Serverless_Cli>("signalr")
            .WithHttpEndpoint(port, port, "http", isProxied: false);
        var http = signalR.GetEndpoint("http");
        signalR.WithArgs(context =>
            {
                foreach (var argument in PartArguments.SignalR(http.Property(EndpointProperty.TargetPort), run.Options.SignalR.Tier, run.Options.SignalR.Units))
                {
                    context.Args.Add(argument);
                }
            })
            .WithListeningCheck(builder, port);
        return new(LocalPart.SignalR, signalR, PartConnection.WithPorts(ports => LocalConnections.SignalR(ports[0]), http));
    }
}
