namespace Serverless.EventHubs.Storage;

/// <summary>Every configured event hub, with its partitions on disk under the data folder.</summary>
internal sealed class EventStore : IDisposable
{
    private readonly Dictionary<string, EventHub> hubs;

    public EventStore(EventHubsOptions options, TimeProvider time)
    {
        Directory.CreateDirectory(options.DataFolder);
        hubs = options.Hubs.ToDictionary(h => h.Name, h => new EventHub(h, options.DataFolder, time), StringComparer.OrdinalIgnoreCase);
    }

    public IEnumerable<EventHub> Hubs => hubs.Values;

    public EventHub? Hub(string name) => hubs.GetValueOrDefault(name);

    /// <summary>Whether an entity path (<c>hub</c>, <c>hub/partitions/0</c>, <c>$management</c>, …) names something here.</summary>
    public bool Knows(string entityPath)
    {
        var first = entityPath.Split('/')[0];
        return entityPath.Length == 0 || first == "$management" || hubs.ContainsKey(first);
    }

    public void Dispose()
    {
        foreach (var hub in hubs.Values)
        {
            hub.Dispose();
        }
    }
}
