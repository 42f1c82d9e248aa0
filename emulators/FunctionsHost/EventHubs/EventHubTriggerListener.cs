using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Rpc;
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
    WorkerSupervisor supervisor, FunctionInvoker invoker, ScriptRoot root, BindingExpressions expressions, ILogger<EventHubTriggerListener> logger) : BackgroundService
{
    public const string StorageSetting = "AzureWebJobsStorage";
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

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

        var functions = worker.Functions.Where(f => f.Trigger?.Type.Equals(SupportedBindings.EventHubTrigger, StringComparison.OrdinalIgnoreCase) == true);
        await Task.WhenAll(functions.Select(f => KeepRunningAsync(f, stoppingToken)));
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
                LogTriggerFailed(ex, function.Name, RestartDelay.TotalSeconds);
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
        string fullyQualifiedNamespace;
        await using (var client = new EventHubConsumerClient(trigger.ConsumerGroup, trigger.ConnectionString, trigger.HubName))
        {
            partitions = await client.GetPartitionIdsAsync(stoppingToken);
            fullyQualifiedNamespace = client.FullyQualifiedNamespace;
        }

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

            if (trigger.IsBatched)
            {
                await InvokeAsync(function, trigger, partition, events, stoppingToken);
            }
            else
            {
                foreach (var single in events)
                {
                    await InvokeAsync(function, trigger, partition, [single], stoppingToken);
                }
            }

            // Checkpointed whether the function succeeded or gave up: the Azure host does the same, so that one
            // poisoned batch cannot stop a partition. Ingest retries for ever, so it never gives up.
            if (++batchesSinceCheckpoint >= options.BatchCheckpointFrequency)
            {
                var last = events[^1];
                await checkpoints.WriteAsync(partition.Namespace, partition.Hub, partition.ConsumerGroup, partition.PartitionId,
                    new Checkpoint(last.SequenceNumber, last.OffsetString), stoppingToken);
                batchesSinceCheckpoint = 0;
            }
        }
    }

    private async Task InvokeAsync(FunctionDescription function, EventHubTrigger trigger, PartitionPosition partition, IReadOnlyList<EventData> events, CancellationToken stoppingToken)
    {
        var outcome = await invoker.InvokeWithRetriesAsync(function.Name, (loaded, request) =>
        {
            var binding = loaded.Trigger!;
            request.InputData.Add(new ParameterBinding { Name = binding.Name, Data = trigger.IsBatched ? Bodies(events, trigger.Binary) : Body(events[0], trigger.Binary) });
            AddMetadata(request, partition, events, trigger.IsBatched);
        }, stoppingToken);
        if (!outcome.Succeeded)
        {
            LogBatchAbandoned(function.Name, partition.PartitionId, events.Count, events[0].SequenceNumber, events[^1].SequenceNumber);
        }
    }

    private static TypedData Bodies(IReadOnlyList<EventData> events, bool binary)
    {
        if (binary)
        {
            var bytes = new CollectionBytes();
            bytes.Bytes.AddRange(events.Select(e => Google.Protobuf.ByteString.CopyFrom(e.EventBody.ToMemory().Span)));
            return new TypedData { CollectionBytes = bytes };
        }

        var strings = new CollectionString();
        strings.String.AddRange(events.Select(e => Encoding.UTF8.GetString(e.EventBody.ToMemory().Span)));
        return new TypedData { CollectionString = strings };
    }

    private static TypedData Body(EventData data, bool binary) => binary
        ? new TypedData { Bytes = Google.Protobuf.ByteString.CopyFrom(data.EventBody.ToMemory().Span) }
        : new TypedData { String = Encoding.UTF8.GetString(data.EventBody.ToMemory().Span) };

    /// <summary>The binding data of the Event Hubs extension: per-event arrays for a batch, single values otherwise.</summary>
    private static void AddMetadata(InvocationRequest request, PartitionPosition partition, IReadOnlyList<EventData> events, bool batched)
    {
        var metadata = request.TriggerMetadata;
        metadata["PartitionContext"] = new TypedData
        {
            Json = JsonSerializer.Serialize(new
            {
                FullyQualifiedNamespace = partition.Namespace,
                EventHubName = partition.Hub,
                ConsumerGroup = partition.ConsumerGroup,
                PartitionId = partition.PartitionId,
                IsCheckpointingAfterInvocation = true,
            }),
        };
        var suffix = batched ? "Array" : "";
        if (batched)
        {
            var keys = new CollectionString();
            keys.String.AddRange(events.Select(e => e.PartitionKey ?? ""));
            metadata["PartitionKeyArray"] = new TypedData { CollectionString = keys };
            var offsets = new CollectionString();
            offsets.String.AddRange(events.Select(e => e.OffsetString ?? ""));
            metadata["OffsetArray"] = new TypedData { CollectionString = offsets };
            var sequenceNumbers = new CollectionSInt64();
            sequenceNumbers.Sint64.AddRange(events.Select(e => e.SequenceNumber));
            metadata["SequenceNumberArray"] = new TypedData { CollectionSint64 = sequenceNumbers };
            metadata["EnqueuedTimeUtcArray"] = new TypedData { Json = JsonSerializer.Serialize(events.Select(e => Time(e.EnqueuedTime))) };
        }
        else
        {
            var single = events[0];
            metadata["PartitionKey"] = new TypedData { String = single.PartitionKey ?? "" };
            metadata["Offset"] = new TypedData { String = single.OffsetString ?? "" };
            metadata["SequenceNumber"] = new TypedData { Int = single.SequenceNumber };
            metadata["EnqueuedTimeUtc"] = new TypedData { Json = JsonSerializer.Serialize(Time(single.EnqueuedTime)) };
        }

        metadata["Properties" + suffix] = new TypedData { Json = JsonSerializer.Serialize(batched ? events.Select(e => e.Properties) : (object)events[0].Properties) };
        var system = events.Select(e => new Dictionary<string, object?>
        {
            ["x-opt-sequence-number"] = e.SequenceNumber,
            ["x-opt-offset"] = e.OffsetString,
            ["x-opt-enqueued-time"] = Time(e.EnqueuedTime),
            ["x-opt-partition-key"] = e.PartitionKey,
            ["SequenceNumber"] = e.SequenceNumber,
            ["Offset"] = e.OffsetString,
            ["PartitionKey"] = e.PartitionKey,
            ["EnqueuedTimeUtc"] = Time(e.EnqueuedTime),
        }).ToList();
        metadata["SystemProperties" + suffix] = new TypedData { Json = JsonSerializer.Serialize(batched ? system : (object)system[0]) };
    }

    // The extension binds EnqueuedTime.DateTime, which Newtonsoft writes without an offset: it is UTC.
    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private sealed record PartitionPosition(string Namespace, string Hub, string ConsumerGroup, string PartitionId);

    [LoggerMessage(EventId = 10, EventName = "TriggerListening", Level = LogLevel.Information, Message = "{Function} reads {Hub} ({ConsumerGroup}), {Partitions} partitions")]
    private partial void LogListening(string function, string hub, string consumerGroup, int partitions);

    [LoggerMessage(EventId = 11, EventName = "TriggerFailed", Level = LogLevel.Error, Message = "{Function}'s trigger stopped (Event Hubs or storage unreachable, or a setting missing); trying again in {Seconds} s")]
    private partial void LogTriggerFailed(Exception exception, string function, double seconds);

    [LoggerMessage(EventId = 12, EventName = "BatchAbandoned", Level = LogLevel.Error,
        Message = "{Function} gave up on {Events} events of partition {Partition} (sequence numbers {First}–{Last}); they are checkpointed past, as the Azure host does")]
    private partial void LogBatchAbandoned(string function, string partition, int events, long first, long last);
}
