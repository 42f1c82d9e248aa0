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
public sealed partial class EventHubTriggerListener(
    WorkerSupervisor supervisor, FunctionInvoker invoker, ScriptRoot root, BindingExpressions expressions, IHostApplicationLifetime lifetime,
    ILogger<EventHubTriggerListener> logger) : BackgroundService
{
    public const string StorageSetting = "AzureWebJobsStorage";
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CheckpointTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ReadyWorker worker;
        try
        {
            worker = await supervisor.WaitForWorkerAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // No new batch once the host begins to stop; the one under way finishes, and the worker stops after it.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var functions = worker.Functions.Where(f => f.Trigger?.Type.Equals(SupportedBindings.EventHubTrigger, StringComparison.OrdinalIgnoreCase) == true);
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
        await Task.WhenAll(partitions.Select(partition => PumpAsync(function, trigger, position with { PartitionId = partition }, checkpoints, stoppingToken)));
    }

    private async Task PumpAsync(FunctionDescription function, EventHubTrigger trigger, PartitionPosition partition, CheckpointStore checkpoints, CancellationToken stoppingToken)
    {
        var options = root.Host.EventHubs;
        var checkpoint = await checkpoints.ReadAsync(partition.Namespace, partition.Hub, partition.ConsumerGroup, partition.PartitionId, stoppingToken);
        var start = checkpoint is not null
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

            // Checkpointed whether the function succeeded or gave up: the Azure host does the same, so that one
            // poisoned batch cannot stop a partition. Ingest retries for ever, so it never gives up.
            if (++batchesSinceCheckpoint >= options.BatchCheckpointFrequency)
            {
                var last = events[^1];
                using var timeout = new CancellationTokenSource(CheckpointTimeout);
                await checkpoints.WriteAsync(partition.Namespace, partition.Hub, partition.ConsumerGroup, partition.PartitionId,
                    new Checkpoint(last.SequenceNumber, last.OffsetString), timeout.Token);
                batchesSinceCheckpoint = 0;
            }
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

    [LoggerMessage(EventId = 10, EventName = "TriggerListening", Level = LogLevel.Information, Message = "{Function} reads {Hub} ({ConsumerGroup}), {Partitions} partitions")]
    private partial void LogListening(string function, string hub, string consumerGroup, int partitions);

    [LoggerMessage(EventId = 11, EventName = "TriggerFailed", Level = LogLevel.Error, Message = "{Function}'s trigger stopped (Event Hubs or storage unreachable, or a setting missing); trying again in {Seconds} s: {Reason}")]
    private partial void LogTriggerFailed(string function, double seconds, string reason);

    [LoggerMessage(EventId = 12, EventName = "BatchAbandoned", Level = LogLevel.Error,
        Message = "{Function} gave up on {Events} events of partition {Partition} (sequence numbers {First}–{Last}); they are checkpointed past, as the Azure host does")]
    private partial void LogBatchAbandoned(string function, string partition, int events, long first, long last);
}
