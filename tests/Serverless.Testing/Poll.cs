namespace Serverless.Testing;

/// <summary>Waits for something the system under test reaches on its own, by asking every 100 ms.</summary>
public static class Poll
{
    /// <summary>
    /// The first value <paramref name="check"/> gives that is not null; throws <see cref="TaskCanceledException"/>
    /// after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> check, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await check() is { } value)
            {
                return value;
            }

            await Task.Delay(100, deadline.Token);
        }
    }
}
