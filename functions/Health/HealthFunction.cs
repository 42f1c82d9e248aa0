using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Pipeline.Ingest;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: is the app alive, can it reach Table Storage (required: 503 with the report without it) and SignalR Service
/// (optional: pushes fail over to catch-up), and what has Ingest done since start. Anyone may ask; a failed check
/// says only that it failed, and its exception goes to the log, not to the caller.
/// </summary>
public sealed partial class HealthFunction(StorageTables tables, SignalRRestClient signalR, IngestMetrics metrics, ILogger<HealthFunction> logger)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    [Function("Health")]
    public async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> CheckAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var storage = RunCheckAsync("storage", tables.CheckAsync, cancellationToken);
        var push = RunCheckAsync("signalr", async token =>
        {
            using var response = await signalR.SendAsync(HttpMethod.Head, SignalRRoutes.Health, () => null, maxAttempts: 1, token);
            response.EnsureSuccessStatusCode();
        }, cancellationToken);

        var (storageCheck, signalRCheck) = (await storage, await push);
        var status = !storageCheck.Healthy ? HealthReport.Unhealthy : !signalRCheck.Healthy ? HealthReport.Degraded : HealthReport.Healthy;
        var body = new HealthReport(status, new HealthChecks(storageCheck, signalRCheck), metrics.Totals);
        return storageCheck.Healthy
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private async Task<HealthCheck> RunCheckAsync(string name, Func<CancellationToken, Task> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await check(timeout.Token);
            return new HealthCheck(true, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogCheckFailed(logger, name, ex);
            return new HealthCheck(false, ex is OperationCanceledException ? $"no answer within {CheckTimeout.TotalSeconds} s" : "unreachable (the app's log says why)");
        }
    }

    [LoggerMessage(EventId = 82, EventName = "HealthCheckFailed", Level = LogLevel.Warning, Message = "Health check {Check} failed")]
    private static partial void LogCheckFailed(ILogger logger, string check, Exception exception);
}
