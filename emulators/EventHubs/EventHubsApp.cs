using Serverless.EventHubs.Amqp;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs;

/// <summary>The local Event Hubs as a host: what <c>Program</c> runs and what tests start.</summary>
public static class EventHubsApp
{
    public static IHost Build(EventHubsOptions options, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        configure?.Invoke(builder);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventStore>();
        services.AddSingleton<ConnectionGrants>();
        services.AddSingleton<OwnerLevels>();
        services.AddSingleton<CbsNode>();
        services.AddSingleton<ManagementNode>();
        services.AddSingleton<EntityLinkProcessor>();
        services.AddHostedService<EventHubsBroker>();
        return builder.Build();
    }
}
