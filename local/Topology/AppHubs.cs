using Serverless.EventHubs;
using Serverless.Local.Stack;

namespace Serverless.Local.Topology;

/// <summary>The event hubs the local Event Hubs must have for the function app: one per hub its triggers read, with their consumer groups.</summary>
public static class AppHubs
{
    public static List<HubOptions> For(IEnumerable<AppEventHubTrigger> triggers, int partitions) =>
    [
        .. triggers.GroupBy(t => t.HubName).Select(hub => new HubOptions
        {
            Name = hub.Key,
            Partitions = partitions,
            ConsumerGroups = [.. hub.Select(t => t.ConsumerGroup).Where(g => g != HubOptions.DefaultConsumerGroup).Distinct()],
        }),
    ];
}
