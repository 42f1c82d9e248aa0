namespace Serverless.EventHubs.Storage;

/// <summary>An event hub: its partitions, consumer groups and retention, as configured.</summary>
public sealed class EventHub : IDisposable
{
    private readonly PartitionLog[] partitions;
    private int roundRobin = -1;

    public EventHub(HubOptions options, string dataFolder, TimeProvider time)
    {
        Name = options.Name;
        CreatedAt = time.GetUtcNow();
        ConsumerGroups = new HashSet<string>(options.ConsumerGroups.Append(HubOptions.DefaultConsumerGroup), StringComparer.OrdinalIgnoreCase);
        partitions = Enumerable.Range(0, options.Partitions)
            .Select(i => new PartitionLog(Path.Combine(dataFolder, options.Name, i.ToString()), options.Retention, time))
            .ToArray();
        var created = Path.Combine(dataFolder, options.Name, "created");
        if (File.Exists(created) && DateTimeOffset.TryParse(File.ReadAllText(created), out var when))
        {
            CreatedAt = when;
        }
        else
        {
            File.WriteAllText(created, CreatedAt.ToString("O"));
        }
    }

    public string Name { get; }
    public DateTimeOffset CreatedAt { get; }
    public IReadOnlySet<string> ConsumerGroups { get; }
    public int PartitionCount => partitions.Length;
    public IEnumerable<string> PartitionIds => partitions.Select(p => p.Id);

    public PartitionLog? Partition(string id) =>
        int.TryParse(id, out var index) && index >= 0 && index < partitions.Length && index.ToString() == id ? partitions[index] : null;

    /// <summary>
    /// The partition for an event: the one its partition key hashes to, as the service hashes it
    /// (<see cref="PartitionKeys"/>), else the next in turn.
    /// </summary>
    public PartitionLog PartitionFor(string? partitionKey) => partitionKey is null
        ? partitions[(int)((uint)Interlocked.Increment(ref roundRobin) % (uint)partitions.Length)]
        : partitions[PartitionKeys.PartitionIndex(partitionKey, partitions.Length)];

    public int ApplyRetention() => partitions.Sum(p => p.ApplyRetention());

    public void Dispose()
    {
        foreach (var partition in partitions)
        {
            partition.Dispose();
        }
    }
}
