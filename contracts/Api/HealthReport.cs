namespace Serverless.Contracts.Api;

/// <summary>
/// <c>GET /api/health</c>: <c>healthy</c>, <c>degraded</c> (SignalR Service unreachable: pushes fall back to catch-up)
/// or <c>unhealthy</c> (Table Storage unreachable, answered with 503), and what Ingest did since the worker started.
/// </summary>
public sealed record HealthReport(string Status, HealthChecks Checks, IngestTotals Ingest)
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";
}

public sealed record HealthChecks(HealthCheck Storage, HealthCheck SignalR);

public sealed record HealthCheck(bool Healthy, string? Error);

/// <summary>Counts since the worker started: stored, redelivered and skipped, dead-lettered, pushed, failed pushes.</summary>
public sealed record IngestTotals(long Stored, long Replayed, long Rejected, long Pushed, long PushFailures);
