using Serverless.Functions.Ingest;
using Serverless.Functions.Push;
using Serverless.Functions.Storage;

namespace Serverless.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: is the app alive, can it reach Table Storage (required: 503 without it) and SignalR Service
/// (optional: pushes fail over to catch-up), and what has Ingest done since start.
/// </summary>
public static class HealthEndpoint
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", CheckAsync);
        return app;
    }

    private static async Task<IResult> CheckAsync(StorageTables tables, SignalRRestClient signalR, IngestMetrics metrics, CancellationToken cancellationToken)
    {
        var storage = RunCheckAsync(tables.CheckAsync, cancellationToken);
        var push = RunCheckAsync(async token =>
        {
            using var response = await signalR.SendAsync(HttpMethod.Head, SignalRRoutes.Health, () => null, maxAttempts: 1, token);
            response.EnsureSuccessStatusCode();
        }, cancellationToken);

        var (storageCheck, signalRCheck) = (await storage, await push);
        var status = !storageCheck.Healthy ? "unhealthy" : !signalRCheck.Healthy ? "degraded" : "healthy";
        var body = new { status, checks = new { storage = storageCheck, signalR = signalRCheck }, ingest = metrics.Totals };
        return Results.Json(body, statusCode: storageCheck.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
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

public sealed record HealthCheck(bool Healthy, string? Error);
