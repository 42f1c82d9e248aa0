using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>
/// Runs every <c>eventHubTrigger</c> of the app as the Azure host's Event Hubs extension does, on the official
/// <c>Azure.Messaging.EventHubs</c> client: each partition of the consumer group is read on its own, in batches of up
/// to host.json <c>maxEventBatchSize</c>; a batch is one invocation (under the function's retry policy), and after it
/// (succeeded, or failed once its retries end) the batch's last event is checkpointed in blob storage, so that a host
/// that starts again goes on after it (docs/functions-host.md).
/// </summary>
internal sealed partial class EventHubTriggerListener(
    WorkerSupervisor supervisor, FunctionInvoker invoker, ScriptRoot root, BindingExpressions expressions, IHostApplicationLifetime lifetime,
    ILogger<EventHubTriggerListener> logger) : BackgroundService
{
    public const string StorageSetting = "AzureWebJobsStorage";
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CheckpointTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var functions = await TriggeredFunctions.WaitForAsync(supervisor, SupportedBindings.EventHubTrigger, stoppingToken);

        // No new batch once the host begins to stop; the one under way finishes, and the worker stops after it.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        await Task.WhenAll(functions.Select(f => KeepRunningAsync(f, stopping.Token)));
    }

    // A namespace or storage that is not reachable yet, or that goes away, is tried again; HTTP functions go on meanwhile.
    private async Task KeepRunningAsync(FunctionDescription function, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(function, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogTriggerFailed(function.Name, RestartDelay.TotalSeconds, $"{ex.GetType().Name}: {ex.Message}");
                await Task.Delay(RestartDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(FunctionDescription function, CancellationToken stoppingToken)
    {
        var trigger = EventHubTrigger.From(function, expressions);
        var storage = expressions.Setting(StorageSetting)
            ?? throw new BindingException($"{StorageSetting} is missing: the host keeps Event Hubs checkpoints there.");
        var checkpoints = CheckpointStore.Create(storage);
        string[] partitions;
        await using (var client = new EventHubConsumerClient(trigger.ConsumerGroup, trigger.ConnectionString, trigger.HubName))
        {
            partitions = await client.GetPartitionIdsAsync(stoppingToken);
        }

        var fullyQualifiedNamespace = NamespaceKey(trigger.ConnectionString);
        LogListening(function.Name, trigger.HubName, trigger.ConsumerGroup, partitions.Length);
        var position = new PartitionPosition(fullyQualifiedNamespace, trigger.HubName, trigger.ConsumerGroup, "");
        await Task.WhenAll(partitions.Select(partition => KeepPumpingAsync(function, trigger, position with { PartitionId = partition }, checkpoints, stoppingToken)));
    }

    // Each partition is read on its own and comes back on its own: one that fails (its link dropped, storage gone)
    // starts again after the last event it handled, while the others go on.
    private async Task KeepPumpingAsync(FunctionDescription function, EventHubTrigger trigger, PartitionPosition partition, CheckpointStore checkpoints, CancellationToken stoppingToken)
    {
        var progress = new PartitionProgress();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PumpAsync(function, trigger, partition, checkpoints, progress, stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPartitionFailed(function.Name, partition.PartitionId, RestartDelay.TotalSeconds, $"{ex.GetType().Name}: {ex.Message}");
                await Task.Delay(RestartDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task PumpAsync(FunctionDescription function, EventHubTrigger trigger, PartitionPosition partition, CheckpointStore checkpoints, PartitionProgress progress, CancellationToken stoppingToken)
    {
        var options = root.Host.EventHubs;
        var start = progress.LastHandled is { } handled
            ? EventPosition.FromSequenceNumber(handled, isInclusive: false)
            : await checkpoints.ReadAsync(partition.Namespace, partition.Hub, partition.ConsumerGroup, partition.PartitionId, stoppingToken) is { } checkpoint
                ? EventPosition.FromSequenceNumber(checkpoint.SequenceNumber, isInclusive: false)
                : options.StartFromEnd ? EventPosition.Latest : EventPosition.Earliest;
        await using var receiver = new PartitionReceiver(trigger.ConsumerGroup, partition.PartitionId, start, trigger.ConnectionString, trigger.HubName,
            new PartitionReceiverOptions { PrefetchCount = options.PrefetchCount });
        var batchesSinceCheckpoint = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var events = (await receiver.ReceiveBatchAsync(options.MaxEventBatchSize, ReceiveWait, stoppingToken)).ToList();
            if (events.Count == 0)
            {
                continue;
            }

            var stopped = false;
            foreach (var batch in trigger.IsBatched ? [events] : events.Select(e => (IReadOnlyList<EventData>)[e]))
            {
                stopped = !await InvokeAsync(function, trigger, partition, batch, stoppingToken);
                if (stopped)
                {
                    break;
                }
            }

            if (stopped)
            {
                // The host is stopping and the batch did not succeed: no checkpoint, so that it comes again.
                return;
            }

            // Handled whether the function succeeded or gave up: the Azure host does the same, so that one poisoned
            // batch cannot stop a partition. Ingest retries for ever, so it never gives up.
            var last = events[^1];
            progress.LastHandled = last.SequenceNumber;
            if (++batchesSinceCheckpoint >= options.BatchCheckpointFrequency
                && await TryCheckpointAsync(function, partition, checkpoints, new Checkpoint(last.SequenceNumber, last.OffsetString)))
            {
                batchesSinceCheckpoint = 0;
            }
        }
    }

    /// <summary>
    /// Writes a checkpoint; a write that fails (storage away) holds nothing up: the partition goes on and the next
    /// batch writes a later one. Until then a host that starts again delivers a few batches twice, which Ingest
    /// already takes (docs/functions-host.md).
    /// </summary>
    private async Task<bool> TryCheckpointAsync(FunctionDescription function, PartitionPosition partition, CheckpointStore checkpoints, Checkpoint checkpoint)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CheckpointTimeout);
            await checkpoints.WriteAsync(partition.Namespace, partition.Hub, partition.ConsumerGroup, partition.PartitionId, checkpoint, timeout.Token);
            return true;
        }
        catch (Exception ex)
        {
            LogCheckpointFailed(function.Name, partition.PartitionId, checkpoint.SequenceNumber, $"{ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    /// <summary>Invokes the function for a batch under its retry policy; false when the host's shutdown stopped it first.</summary>
    private async Task<bool> InvokeAsync(FunctionDescription function, EventHubTrigger trigger, PartitionPosition partition, IReadOnlyList<EventData> events, CancellationToken stoppingToken)
    {
        var outcome = await invoker.InvokeWithRetriesAsync(function.Name, (loaded, request) =>
        {
            EventHubInvocation.Fill(request, loaded.Trigger!.Name, new EventHubInvocation.Partition(partition.Namespace, partition.Hub, partition.ConsumerGroup, partition.PartitionId),
                events, trigger.IsBatched, trigger.Binary);
        }, stoppingToken);
        if (!outcome.Succeeded && !outcome.Stopped)
        {
            LogBatchAbandoned(function.Name, partition.PartitionId, events.Count, events[0].SequenceNumber, events[^1].SequenceNumber);
        }

        return !outcome.Stopped;
    }

    /// <summary>
    /// The namespace in checkpoint names: its host name, as in Azure, where it is unique. Local namespaces on other
    /// ports of the same host are told apart by their port, so that two never share checkpoints.
    /// </summary>
    public static string NamespaceKey(string connectionString)
    {
        var endpoint = EventHubsConnectionStringProperties.Parse(connectionString).Endpoint;
        return endpoint.Port > 0 && endpoint.Port != 5671 ? $"{endpoint.Host}:{endpoint.Port}" : endpoint.Host;
    }

    private sealed record PartitionPosition(string Namespace, string Hub, string ConsumerGroup, string PartitionId);

    /// <summary>The last event of a partition this host handled, where a partition that failed starts again.</summary>
    private sealed class PartitionProgress
    {
        public long? LastHandled { get; set; }
    }

    [LoggerMessage(EventId = 10, EventName = "TriggerListening", Level = LogLevel.Information, Message = "{Function} reads {Hub} ({ConsumerGroup}), {Partitions} partitions")]
    private partial void LogListening(string function, string hub, string consumerGroup, int partitions);

    [LoggerMessage(EventId = 11, EventName = "TriggerFailed", Level = LogLevel.Error, Message = "{Function}'s trigger stopped (Event Hubs or storage unreachable, or a setting missing); trying again in {Seconds} s: {Reason}")]
    private partial void LogTriggerFailed(string function, double seconds, string reason);

    [LoggerMessage(EventId = 13, EventName = "PartitionFailed", Level = LogLevel.Error, Message = "{Function}'s reading of partition {Partition} stopped; it starts again after its last handled event in {Seconds} s: {Reason}")]
    private partial void LogPartitionFailed(string function, string partition, double seconds, string reason);

    [LoggerMessage(EventId = 14, EventName = "CheckpointFailed", Level = LogLevel.Warning, Message = "{Function} could not checkpoint partition {Partition} at {SequenceNumber}; the partition goes on and the next batch tries again: {Reason}")]
    private partial void LogCheckpointFailed(string function, string partition, long sequenceNumber, string reason);

    [LoggerMessage(EventId = 12, EventName = "BatchAbandoned", Level = LogLevel.Error,
        Message = "{Function} gave up on {Events} events of partition {Partition} (sequence numbers {First}–{Last}); they are checkpointed past, as the Azure host does")]
    private partial void LogBatchAbandoned(string function, string partition, int events, long first, long last);
}
