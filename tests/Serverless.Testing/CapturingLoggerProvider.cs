using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Testing;

/// <summary>Keeps the event names a component logs, so that a test can see that a path (a retry, a refusal) was taken.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> events = new();

    public IReadOnlyCollection<string> EventNames => events;

    public ILogger CreateLogger(string categoryName) => new Logger(events);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
            {
                events.Enqueue(name);
            }
        }
    }
}
