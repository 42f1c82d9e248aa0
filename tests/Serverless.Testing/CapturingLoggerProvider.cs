using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Testing;

/// <summary>Keeps what a component logs (event names and messages), so that a test can see that a path (a retry, a refusal) was taken.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> events = new();
    private readonly ConcurrentQueue<LoggedEntry> entries = new();

    public IReadOnlyCollection<string> EventNames => events;

    /// <summary>Every entry: its category, event name and formatted message.</summary>
    public IReadOnlyCollection<LoggedEntry> Entries => entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, events, entries);

    /// <summary>Waits until an entry matches; fails the test with what was logged when none does in time.</summary>
    public async Task<LoggedEntry> WaitForAsync(Func<LoggedEntry, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (entries.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Nothing matching was logged within {timeout.TotalSeconds} s. Logged:{Environment.NewLine}" +
            string.Join(Environment.NewLine, entries.TakeLast(40).Select(e => $"{e.Category} {e.EventName}: {e.Message}")));
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> events, ConcurrentQueue<LoggedEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
            {
                events.Enqueue(name);
            }

            entries.Enqueue(new LoggedEntry(category, eventId.Name, logLevel, formatter(state, exception)));
        }
    }
}

public sealed record LoggedEntry(string Category, string? EventName, LogLevel Level, string Message);
