using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Ingest;
using Serverless.Functions.Push;
using Serverless.Functions.Storage;

namespace Serverless.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: is the app alive, can it reach Table Storage (required: 503 without it) and SignalR Service
/// (optional: pushes fail over to catch-up), and what has Ingest done since start.
/// </summary>
public sealed class HealthFunction(StorageTables tables, SignalRRestClient signalR, IngestMetrics metrics)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    [Function("Health")]
    public async Task<JsonHttpResult<HealthReport>> CheckAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var storage = RunCheckAsync(tables.CheckAsync, cancellationToken);
        var push = RunCheckAsync(async token =>
        {
            using var response = await signalR.SendAsync(HttpMethod.Head, SignalRRoutes.Health, () => null, maxAttempts: 1, token);
            response.EnsureSuccessStatusCode();
        }, cancellationToken);

        var (storageCheck, signalRCheck) = (await storage, await push);
        var status = !storageCheck.Healthy ? "unhealthy" : !signalRCheck.Healthy ? "degraded" : "healthy";
        var body = new HealthReport(status, new HealthChecks(storageCheck, signalRCheck), metrics.Totals);
        return TypedResults.Json(body, statusCode: storageCheck.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<HealthCheck> RunCheckAsync(Func<CancellationToken, Task> check, CancellationToken cancellationToken)
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
            return new HealthCheck(false, ex is OperationCanceledException ? $"no answer within {CheckTimeout.TotalSeconds} s" : ex.Message);
        }
    }
}

public sealed record HealthReport(string Status, HealthChecks Checks, IngestTotals Ingest);

public sealed record HealthChecks(HealthCheck Storage, HealthCheck SignalR);

public sealed record HealthCheck(bool Healthy, string? Error);
