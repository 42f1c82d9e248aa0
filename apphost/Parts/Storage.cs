using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>Azurite from the clone's <c>node_modules</c>: Blob (the host's checkpoints), Queue and Table (the app's data), data in <c>{data}/azurite</c>.</summary>
internal static class Storage
{
    public static PartConnection AddAzurite(this IDistributedApplicationBuilder builder, LocalRun run)
    {
        var port = run.Options.Ports.Storage;
        var data = Path.Combine(run.DataFolder, "azurite");
        Directory.CreateDirectory(data);
        var azurite = builder.AddExecutable("storage", run.Repo.NodeBin("azurite"), run.Repo.Root)
            .WithEndpoint(port, port, "http", "blob", isProxied: false)
            .WithEndpoint(port + 1, port + 1, "http", "queue", isProxied: false)
            .WithEndpoint(port + 2, port + 2, "http", "table", isProxied: false);
        EndpointReference[] endpoints = [azurite.GetEndpoint("blob"), azurite.GetEndpoint("queue"), azurite.GetEndpoint("table")];
        azurite.WithArgs(context =>
            {
                foreach (var argument in PartArguments.Azurite(Port(endpoints[0]), Port(endpoints[1]), Port(endpoints[2]), data))
                {
                    context.Args.Add(argument);
                }
            })
            .WithListeningCheck(builder, port + 2);
        return new(LocalPart.Storage, azurite, PartConnection.WithPorts(ports => LocalConnections.Storage(ports[0], ports[1], ports[2]), endpoints));
    }

    private static EndpointReferenceExpression Port(EndpointReference endpoint) => endpoint.Property(EndpointProperty.TargetPort);
}
