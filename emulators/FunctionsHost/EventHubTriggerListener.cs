using System.Net.Http.Headers;
using System.Text;
using Serverless.EventHubs.Client;

namespace Serverless.FunctionsHost;

/// <summary>
/// Runs each <c>eventHubTrigger</c> as the Azure host does: owns every partition of its consumer group, reads batches of
/// up to <c>maxEventBatchSize</c>, posts them to <c>/{FunctionName}</c>, retries a failed invocation per the function's
/// <c>retry</c> policy, and checkpoints after the invocation, or after the retries are exhausted (AZURE-CONTRACTS §1.5).
/// </summary>
public sealed partial class EventHubTriggerListener(
    FunctionAppDefinition app, IReadOnlyDictionary<string, string?> settings, CustomHandlerProcess handler, ILogger<EventHubTriggerListener> logger) : BackgroundService
{
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = new HttpClient { BaseAddress = handler.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        await Task.WhenAll(app.EventHubFunctions.Select(f => KeepRunningAsync(f, http, stoppingToken)));
    }

    // A namespace that is not up yet, or that goes away, is retried; the host keeps serving HTTP functions meanwhile.
    private async Task KeepRunningAsync(EventHubFunction function, HttpClient http, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(function, http, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogTriggerFailed(ex, function.Name);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(EventHubFunction function, HttpClient http, CancellationToken stoppingToken)
    {
        var storage = settings.GetValueOrDefault("AzureWebJobsStorage")
            ?? throw new InvalidOperationException("AzureWebJobsStorage is missing: the host keeps Event Hubs checkpoints there.");
        var checkpoints = await CheckpointStore.CreateAsync(storage, cancellationToken: stoppingToken);
        var connectionString = settings.GetValueOrDefault(function.ConnectionSetting)
            ?? throw new InvalidOperationException($"{function.ConnectionSetting}, the connection of {function.Name}, is missing.");
        await using var connection = await EventHubsConnection.OpenAsync(connectionString);
        var partitions = await connection.GetPartitionIdsAsync(function.HubName);
        var saved = await checkpoints.ReadAsync(connection.Settings.FullyQualifiedNamespace, function.HubName, function.ConsumerGroup, stoppingToken);
        LogListening(function.Name, function.HubName, function.ConsumerGroup, partitions.Count);
        await Task.WhenAll(partitions.Select(partition => PumpAsync(function, connection, partition, saved.GetValueOrDefault(partition), checkpoints, http, stoppingToken)));
    }

    private async Task PumpAsync(EventHubFunction function, EventHubsConnection connection, string partition, Checkpoint? checkpoint,
        CheckpointStore checkpoints, HttpClient http, CancellationToken stoppingToken)
    {
        var start = checkpoint?.Next ?? (app.StartFromEnd ? EventPosition.Latest : EventPosition.Earliest);
        await using var consumer = await EventHubConsumer.OpenAsync(connection, function.HubName, function.ConsumerGroup, partition, start, ownerLevel: 0);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var events = await consumer.ReceiveAsync(app.MaxEventBatchSize, ReceiveWait);
                if (events.Count == 0)
                {
                    continue;
                }

                await InvokeAsync(function, connection.Settings.FullyQualifiedNamespace, partition, events, http, stoppingToken);
                var last = events[^1];
                await checkpoints.WriteAsync(connection.Settings.FullyQualifiedNamespace, function.HubName, function.ConsumerGroup, partition, new Checkpoint(last.SequenceNumber, last.Offset), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task InvokeAsync(EventHubFunction function, string fullyQualifiedNamespace, string partition, IReadOnlyList<ReceivedEvent> events, HttpClient http, CancellationToken stoppingToken)
    {
        for (var retry = 0; ; retry++)
        {
            var payload = InvocationPayload.Build(function, fullyQualifiedNamespace, partition, events, retry, function.Retry.MaxRetryCount);
            using var request = new HttpRequestMessage(HttpMethod.Post, function.Name) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Azure-Functions-Host", "4.0-local"));
            string failure;
            try
            {
                using var response = await http.SendAsync(request, stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                failure = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(stoppingToken)}";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }

            if (!function.Retry.ShouldRetry(retry))
            {
                LogGivenUp(function.Name, partition, events.Count, retry, failure);
                return;
            }

            LogRetrying(function.Name, partition, retry + 1, failure);
            await Task.Delay(function.Retry.DelayBefore(retry), stoppingToken);
        }
    }

    [LoggerMessage(EventId = 13, EventName = "TriggerFailed", Level = LogLevel.Error, Message = "{Function}'s trigger stopped (Event Hubs or storage unreachable, or a setting missing); trying again in 5 s")]
    private partial void LogTriggerFailed(Exception exception, string function);

    [LoggerMessage(EventId = 10, EventName = "TriggerListening", Level = LogLevel.Information, Message = "{Function} reads {Hub} ({ConsumerGroup}), {Partitions} partitions")]
    private partial void LogListening(string function, string hub, string consumerGroup, int partitions);

    [LoggerMessage(EventId = 11, EventName = "InvocationRetried", Level = LogLevel.Warning, Message = "{Function} failed on partition {Partition}; retry {Retry}: {Failure}")]
    private partial void LogRetrying(string function, string partition, int retry, string failure);

    [LoggerMessage(EventId = 12, EventName = "RetriesExhausted", Level = LogLevel.Error,
        Message = "{Function} failed on partition {Partition} after {Retries} retries; its {Events} events are checkpointed past, as the Azure host does: {Failure}")]
    private partial void LogGivenUp(string function, string partition, int events, int retries, string failure);
}
