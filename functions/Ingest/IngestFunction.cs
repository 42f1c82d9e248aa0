using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Ingest;

namespace Serverless.Functions.Ingest;

/// <summary>
/// Ingest: a batch of Event Hubs events through <see cref="IngestPipeline"/>. A batch that can't be stored throws, so
/// the invocation fails and the retry policy (for ever, 1 s doubling to 5 s) delivers it again: a batch is never skipped,
/// and storing goes on within 5 s of storage coming back.
/// </summary>
public sealed partial class IngestFunction(IngestPipeline pipeline, ILogger<IngestFunction> logger)
{
    [Function("Ingest")]
    [ExponentialBackoffRetry(-1, "00:00:01", "00:00:05")]
    public async Task RunAsync(
        [EventHubTrigger("%" + SettingNames.EventHubName + "%", Connection = SettingNames.EventHubConnection, ConsumerGroup = "%" + SettingNames.EventHubConsumerGroup + "%", IsBatched = true)] byte[][] events,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var batch = EventHubBatch.Read(events, context.BindingContext.BindingData);
        if (context.RetryContext is { RetryCount: > 0 } retry)
        {
            LogRetry(batch.Count, retry.RetryCount, retry.MaxRetryCount);
        }

        try
        {
            await pipeline.RunAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogIngestFailed(ex, batch.Count, batch.Count > 0 ? batch[0].Origin.PartitionId : null);
            throw;
        }
    }

    [LoggerMessage(EventId = 14, EventName = "IngestRetried", Level = LogLevel.Warning,
        Message = "A batch of {Events} events is delivered again: retry {RetryCount} (of {MaxRetryCount}; -1 is without end)")]
    private partial void LogRetry(int events, int retryCount, int maxRetryCount);

    [LoggerMessage(EventId = 13, EventName = "IngestFailed", Level = LogLevel.Error,
        Message = "Could not store a batch of {Events} events from partition {PartitionId}; failing the invocation so that it is retried")]
    private partial void LogIngestFailed(Exception exception, int events, string? partitionId);
}
