using Serverless.EventHubs;
using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>The local Event Hubs (<c>serverless eventhubs</c>) with the hubs and consumer groups the app's triggers read; data in <c>{data}/eventhubs</c>.</summary>
internal static class EventHubs
{
    public static PartConnection AddLocalEventHubs(this IDistributedApplicationBuilder builder, LocalRun run)
    {
        var port = run.Options.Ports.EventHubs;
        var config = Path.Combine(run.DataFolder, "eventhubs.json");
        EventHubsOptions.WriteConfig(config, AppHubs.For(run.Triggers, run.Options.Partitions));
        var eventHubs = builder.AddProject<Projects.Serverless_Cli>("eventhubs")
            .WithEndpoint(port, port, "tcp", "amqp", isProxied: false);
        var amqp = eventHubs.GetEndpoint("amqp");
        eventHubs.WithArgs(context =>
            {
                foreach (var argument in PartArguments.EventHubs(amqp.Property(EndpointProperty.TargetPort), Path.Combine(run.DataFolder, "eventhubs"), config))
                {
                    context.Args.Add(argument);
                }
            })
            .WithListeningCheck(builder, port);
        return new(LocalPart.EventHubs, eventHubs, PartConnection.WithPorts(ports => LocalConnections.EventHubs(ports[0]), amqp));
    }
}
