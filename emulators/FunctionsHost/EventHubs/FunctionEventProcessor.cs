using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Serverless.FunctionsHost.App;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>A partition this host processes, with the batches it has handled since its last checkpoint.</summary>
internal sealed class HostPartition : EventProcessorPartition
{
    public int BatchesSinceCheckpoint { get; set; }
}

/// <summary>
/// One <c>eventHubTrigger</c> function's reading of its hub, on the Event Hubs SDK's own processor as the Functions
/// Event Hubs extension builds on it: the SDK balances the partitions between every host on the same storage (greedy,
/// claims and renewals through <see cref="OwnershipStore"/>), starts each partition it wins from its checkpoint, and
/// hands this class its batches in order. A batch is one invocation (or one per event for cardinality One); after it the
/// batch is checkpointed, unless the partition left this host or the host is stopping first: then the next owner gets
/// it again, which Ingest takes (docs/functions-host.md#partition-ownership).
/// </summary>
internal sealed partial class FunctionEventProcessor : EventProcessor<HostPartition>
{
    private static readonly TimeSpan CheckpointTimeout = TimeSpan.FromSeconds(30);

    // A read waits at most this long for events: an idle partition then gets an empty batch, which is skipped. Without
    // it, a read on a link whose namespace went away waits out the SDK's whole try timeout (a minute) before the
    // processor notices and reconnects.
    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(5);

    private readonly OwnershipScope scope;
    private readonly OwnershipStore ownership;
    private readonly CheckpointStore checkpoints;
    private readonly EventHubsHostOptions options;
    private readonly string functionName;
    private readonly Func<string, IReadOnlyList<EventData>, CancellationToken, Task<bool>> invoke;
    private readonly bool batched;
    private readonly ILogger logger;

    /// <param name="invoke">Invokes the function for a partition's events; false when it was stopped before it succeeded.</param>
    public FunctionEventProcessor(
        EventHubTrigger trigger, string functionName, OwnershipScope scope, OwnershipStore ownership, CheckpointStore checkpoints,
        EventHubsHostOptions options, Func<string, IReadOnlyList<EventData>, CancellationToken, Task<bool>> invoke, ILogger logger)
        : base(options.MaxEventBatchSize, trigger.ConsumerGroup, trigger.ConnectionString, trigger.HubName, ProcessorOptions(options))
    {
        this.scope = scope;
        this.ownership = ownership;
        this.checkpoints = checkpoints;
        this.options = options;
        this.functionName = functionName;
        this.invoke = invoke;
        batched = trigger.IsBatched;
        this.logger = logger;
    }

    private static EventProcessorOptions ProcessorOptions(EventHubsHostOptions options) => new()
    {
        LoadBalancingStrategy = LoadBalancingStrategy.Greedy,
        LoadBalancingUpdateInterval = options.LoadBalancingUpdateInterval,
        PartitionOwnershipExpirationInterval = options.PartitionOwnershipExpirationInterval,
        PrefetchCount = options.PrefetchCount,
        MaximumWaitTime = ReadWait,
        DefaultStartingPosition = options.StartFromEnd ? EventPosition.Latest : EventPosition.Earliest,
        Identifier = options.ProcessorIdentifier ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}",
    };

    protected override async Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(CancellationToken cancellationToken) =>
        await ownership.ListAsync(scope, cancellationToken);

    protected override async Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken) =>
        await ownership.ClaimAsync(scope, desiredOwnership, cancellationToken);

    protected override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken) =>
        await checkpoints.ReadAsync(scope.NamespaceKey, scope.Hub, scope.ConsumerGroup, partitionId, cancellationToken) is { } checkpoint
            ? new EventProcessorCheckpoint
            {
                FullyQualifiedNamespace = scope.FullyQualifiedNamespace,
                EventHubName = scope.Hub,
                ConsumerGroup = scope.ConsumerGroup,
                PartitionId = partitionId,
                StartingPosition = EventPosition.FromSequenceNumber(checkpoint.SequenceNumber, isInclusive: false),
            }
            : null;

    protected override async Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, HostPartition partition, CancellationToken cancellationToken)
    {
        var read = events as IReadOnlyList<EventData> ?? [.. events];
        if (read.Count == 0)
        {
            return;
        }

        foreach (var batch in batched ? [read] : read.Select(e => (IReadOnlyList<EventData>)[e]))
        {
            if (!await invoke(partition.PartitionId, batch, cancellationToken))
            {
                // Stopped before it succeeded (the host stops, or the partition moved): no checkpoint, so that it comes again.
                return;
            }
        }

        // Handled whether the function succeeded or gave up: the Azure host does the same, so that one poisoned
        // batch cannot stop a partition. Ingest retries for ever, so it never gives up.
        if (++partition.BatchesSinceCheckpoint >= options.BatchCheckpointFrequency
            && await TryCheckpointAsync(partition.PartitionId, new Checkpoint(read[^1].SequenceNumber, read[^1].OffsetString)))
        {
            partition.BatchesSinceCheckpoint = 0;
        }
    }

    /// <summary>
    /// Writes a checkpoint; a write that fails (storage away) holds nothing up: the partition goes on and the next
    /// batch writes a later one. Until then a host that takes the partition delivers a few batches again, which Ingest
    /// already takes (docs/functions-host.md).
    /// </summary>
    private async Task<bool> TryCheckpointAsync(string partitionId, Checkpoint checkpoint)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CheckpointTimeout);
            await checkpoints.WriteAsync(scope.NamespaceKey, scope.Hub, scope.ConsumerGroup, partitionId, checkpoint, timeout.Token);
            return true;
        }
        catch (Exception ex)
        {
            LogCheckpointFailed(functionName, partitionId, checkpoint.SequenceNumber, $"{ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    protected override Task OnInitializingPartitionAsync(HostPartition partition, CancellationToken cancellationToken)
    {
        LogPartitionTaken(functionName, partition.PartitionId, Identifier);
        return Task.CompletedTask;
    }

    protected override Task OnPartitionProcessingStoppedAsync(HostPartition partition, ProcessingStoppedReason reason, CancellationToken cancellationToken)
    {
        LogPartitionLeft(functionName, partition.PartitionId, Identifier, reason);
        return Task.CompletedTask;
    }

    // The SDK reports and recovers on its own: a partition whose reading failed starts again after its last
    // dispatched event, and a balancing cycle that failed (storage away) is tried again on the next interval.
    protected override Task OnProcessingErrorAsync(Exception exception, HostPartition? partition, string operationDescription, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            LogProcessingError(functionName, partition?.PartitionId ?? "(balancing)", operationDescription, $"{exception.GetType().Name}: {exception.Message}");
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 15, EventName = "PartitionTaken", Level = LogLevel.Information, Message = "{Function} takes partition {Partition} (instance {Instance})")]
    private partial void LogPartitionTaken(string function, string partition, string instance);

    [LoggerMessage(EventId = 16, EventName = "PartitionLeft", Level = LogLevel.Information, Message = "{Function} leaves partition {Partition} (instance {Instance}): {Reason}")]
    private partial void LogPartitionLeft(string function, string partition, string instance, ProcessingStoppedReason reason);

    [LoggerMessage(EventId = 13, EventName = "PartitionFailed", Level = LogLevel.Warning, Message = "{Function}, partition {Partition}: {Operation} failed; the processor tries again: {Reason}")]
    private partial void LogProcessingError(string function, string partition, string operation, string reason);

    [LoggerMessage(EventId = 14, EventName = "CheckpointFailed", Level = LogLevel.Warning, Message = "{Function} could not checkpoint partition {Partition} at {SequenceNumber}; the partition goes on and the next batch tries again: {Reason}")]
    private partial void LogCheckpointFailed(string function, string partition, long sequenceNumber, string reason);
}
