using Azure.Messaging.EventHubs;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>
/// Runs every <c>eventHubTrigger</c> of the app as the Azure host's Event Hubs extension does, on the official
/// <c>Azure.Messaging.EventHubs</c> SDK's processor (<see cref="FunctionEventProcessor"/>): the partitions of the
/// consumer group are shared between every host on the same storage and hub, each read on its own, in batches of up to
/// host.json <c>maxEventBatchSize</c>; a batch is one invocation (under the function's retry policy), and after it
/// (succeeded, or failed once its retries end) the batch's last event is checkpointed in blob storage, so that the
/// partition's next owner goes on after it (docs/functions-host.md#partition-ownership).
/// </summary>
internal sealed partial class EventHubTriggerListener(
    WorkerSupervisor supervisor, FunctionInvoker invoker, ScriptRoot root, BindingExpressions expressions, IHostApplicationLifetime lifetime,
    ILogger<EventHubTriggerListener> logger, ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

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
        var storage = HostStorage.ConnectionString(expressions, "Event Hubs ownership and checkpoints");
        var namespaceKey = NamespaceKey(trigger.ConnectionString);
        var processor = new FunctionEventProcessor(trigger, function.Name, new OwnershipScope(NamespaceHost(trigger.ConnectionString), namespaceKey, trigger.HubName, trigger.ConsumerGroup),
            OwnershipStore.Create(storage), CheckpointStore.Create(storage), root.Host.EventHubs,
            (partition, events, token) => InvokeAsync(function, trigger, new EventHubInvocation.Partition(namespaceKey, trigger.HubName, trigger.ConsumerGroup, partition), events, token),
            loggers.CreateLogger<FunctionEventProcessor>());
        await processor.StartProcessingAsync(stoppingToken);
        LogListening(function.Name, trigger.HubName, trigger.ConsumerGroup, processor.Identifier);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        finally
        {
            // Gives the partitions up (a blank owner), so that the other hosts take them in their next cycle rather than after
            // the ownership expires; the batches under way finish first.
            await processor.StopProcessingAsync(CancellationToken.None);
        }
    }

    /// <summary>Invokes the function for a batch under its retry policy; false when the host's shutdown stopped it first.</summary>
    private async Task<bool> InvokeAsync(FunctionDescription function, EventHubTrigger trigger, EventHubInvocation.Partition partition, IReadOnlyList<EventData> events, CancellationToken stoppingToken)
    {
        var outcome = await invoker.InvokeWithRetriesAsync(function.Name,
            (loaded, request) => EventHubInvocation.Fill(request, loaded.Trigger!.Name, partition, events, trigger.IsBatched, trigger.Binary),
            stoppingToken);
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

    /// <summary>The namespace's host name, as the SDK's processor names it.</summary>
    private static string NamespaceHost(string connectionString) => EventHubsConnectionStringProperties.Parse(connectionString).Endpoint.Host;

    [LoggerMessage(EventId = 10, EventName = "TriggerListening", Level = LogLevel.Information, Message = "{Function} reads {Hub} ({ConsumerGroup}) as instance {Instance}, sharing its partitions with the other instances")]
    private partial void LogListening(string function, string hub, string consumerGroup, string instance);

    [LoggerMessage(EventId = 11, EventName = "TriggerFailed", Level = LogLevel.Error, Message = "{Function}'s trigger stopped (Event Hubs or storage unreachable, or a setting missing); trying again in {Seconds} s: {Reason}")]
    private partial void LogTriggerFailed(string function, double seconds, string reason);

    [LoggerMessage(EventId = 12, EventName = "BatchAbandoned", Level = LogLevel.Error,
        Message = "{Function} gave up on {Events} events of partition {Partition} (sequence numbers {First}–{Last}); they are checkpointed past, as the Azure host does")]
    private partial void LogBatchAbandoned(string function, string partition, int events, long first, long last);
}
