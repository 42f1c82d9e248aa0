using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Settings;

namespace Serverless.Functions.Access;

/// <summary>
/// A token bucket per client: per user for signed-in callers, per address for anonymous ones, refilled at
/// <c>Limits__RequestsPerSecond</c> and holding <c>Limits__RequestBurst</c> (docs/identity.md#limits-per-client). A person on the
/// page never meets it; a script that floods does, and only it.
/// </summary>
public sealed class RequestLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public RequestLimiter(IOptions<LimitsOptions> options)
    {
        var limits = options.Value;
        // Refill in small steps rather than a second's worth at once, so that a client at the steady rate is never refused.
        var period = TimeSpan.FromMilliseconds(Math.Max(10, 1000.0 / limits.RequestsPerSecond));
        var perPeriod = Math.Max(1, (int)Math.Round(limits.RequestsPerSecond * period.TotalSeconds));
        limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.RequestBurst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Takes <paramref name="cost"/> permits for the client; when it may not, how long until it may.</summary>
    public TimeSpan? TryAcquire(string client, int cost = 1)
    {
        using var lease = limiter.AttemptAcquire(client, cost);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// The client a request counts against: its user, or its address. The address is the last one in
    /// <c>X-Forwarded-For</c>, the one the platform's front end (locally, the host) added; any before it came from the
    /// caller and prove nothing (docs/identity.md#limits-per-client).
    /// </summary>
    public static string ClientOf(Caller caller, HttpContext http)
    {
        if (caller.UserId is { } user)
        {
            return $"user:{user}";
        }

        var forwarded = http.Request.Headers["X-Forwarded-For"].ToString();
        var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is not null && TryAddress(last, out var address)
            ? $"address:{address}"
            : $"address:{http.Connection.RemoteIpAddress}";
    }

    // App Service writes "address:port"; an IPv6 address may come in brackets.
    private static bool TryAddress(string text, out IPAddress? address)
    {
        if (IPEndPoint.TryParse(text, out var endpoint))
        {
            address = endpoint.Address;
            return true;
        }

        return IPAddress.TryParse(text, out address);
    }

    public void Dispose() => limiter.Dispose();
}
