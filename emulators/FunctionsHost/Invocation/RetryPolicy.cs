using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Invocation;

/// <summary>
/// A function's retry policy (<c>[FixedDelayRetry]</c> or <c>[ExponentialBackoffRetry]</c>): how many retries after the
/// first attempt (-1: for ever) and the delay before each. Exponential delays follow the WebJobs SDK: the first retry
/// waits the minimum, the k-th about min + 2^(k-2)·min (±20 %), never more than the maximum (docs/functions-host.md).
/// </summary>
public sealed record RetryPolicy(int MaxRetryCount, TimeSpan Delay, TimeSpan MaximumDelay, bool Exponential)
{
    public static RetryPolicy None { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, false);

    public bool IsNone => MaxRetryCount == 0;

    public static RetryPolicy From(RpcRetryOptions? options) => options switch
    {
        null => None,
        { RetryStrategy: RpcRetryOptions.Types.RetryStrategy.FixedDelay } => new RetryPolicy(options.MaxRetryCount, options.DelayInterval?.ToTimeSpan() ?? TimeSpan.Zero, TimeSpan.Zero, false),
        _ => new RetryPolicy(options.MaxRetryCount, options.MinimumInterval?.ToTimeSpan() ?? TimeSpan.Zero, options.MaximumInterval?.ToTimeSpan() ?? TimeSpan.Zero, true),
    };

    /// <summary>Whether another attempt follows after <paramref name="retriesDone"/> retries failed.</summary>
    public bool ShouldRetry(int retriesDone) => MaxRetryCount < 0 || retriesDone < MaxRetryCount;

    /// <summary>The delay before retry number <paramref name="retry"/> (1, 2, …).</summary>
    public TimeSpan DelayBefore(int retry, Random random)
    {
        if (!Exponential)
        {
            return Delay;
        }

        if (retry <= 1)
        {
            return Delay;
        }

        var factor = Math.Pow(2, Math.Min(retry - 2, 30)) * (0.8 + (random.NextDouble() * 0.4));
        var delay = Delay.TotalMilliseconds + (factor * Delay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaximumDelay.TotalMilliseconds));
    }
}
