using Serverless.Contracts.Settings;
using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>The demo feed (<c>serverless demo</c>): prices and order states to the local Event Hubs, once the function app is up; traced to the dashboard.</summary>
internal static class DemoFeed
{
    public static IResourceBuilder<ProjectResource> AddDemoFeed(this IDistributedApplicationBuilder builder, LocalRun run, PartConnection eventHubs, IResourceBuilder<ProjectResource> functions)
    {
        var hub = run.Triggers.FirstOrDefault()?.HubName ?? SettingDefaults.EventHubName;
        return builder.AddProject<Projects.Serverless_Cli>("demo")
            .WithArgs(PartArguments.Demo(run.Options.Demo.Rate))
            .WithEnvironment(SettingNames.EventHubConnection, eventHubs.ConnectionString)
            .WithEnvironment(SettingNames.EventHubName, hub)
            .WaitFor(eventHubs.Resource)
            .WaitFor(functions);
    }
}
