using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Serverless.TestApp;

/// <summary>
/// Fails every batch holding a body "poison", with one retry a second later; hangs on a body "hang" for longer than
/// any test waits (what host.json <c>functionTimeout</c> is for); logs the bodies of the others.
/// </summary>
public sealed partial class PoisonFunction(ILogger<PoisonFunction> logger)
{
    [Function("Poison")]
    [FixedDelayRetry(1, "00:00:01")]
    public void Run([EventHubTrigger("%PoisonHub%", Connection = "EventHubConnection", IsBatched = true)] string[] events)
    {
        if (events.Contains("hang"))
        {
            Thread.Sleep(TimeSpan.FromMinutes(5));
        }

        if (events.Contains("poison"))
        {
            throw new InvalidOperationException("a poisoned batch");
        }

        foreach (var body in events)
        {
            LogHandled(body);
        }
    }

    [LoggerMessage(EventId = 1, EventName = "Handled", Level = LogLevel.Information, Message = "handled {Body}")]
    private partial void LogHandled(string body);
}
