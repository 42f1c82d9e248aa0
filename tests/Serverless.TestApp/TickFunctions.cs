using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Serverless.TestApp;

/// <summary>
/// Two timers for the host's timer tests, with the official Timer package: each logs what its trigger gave it (past
/// due or not, the schedule status) and which host ran it (the setting <c>TickHost</c>).
/// </summary>
public sealed partial class TickFunctions(ILogger<TickFunctions> logger)
{
    [Function("Tick")]
    public void Tick([TimerTrigger("%TickSchedule%")] TimerInfo timer) => LogTicked("Tick", timer.IsPastDue, Status(timer), Host);

    [Function("TickOnStart")]
    public void TickOnStart([TimerTrigger("%TickOnStartSchedule%", RunOnStartup = true)] TimerInfo timer) =>
        LogTicked("TickOnStart", timer.IsPastDue, Status(timer), Host);

    private static string Host => Environment.GetEnvironmentVariable("TickHost") ?? "";

    private static string Status(TimerInfo timer) => timer.ScheduleStatus is { } status ? JsonSerializer.Serialize(status) : "none";

    [LoggerMessage(EventId = 2, EventName = "Ticked", Level = LogLevel.Information,
        Message = "{Function} ran: past due {IsPastDue}, status {Status}, host {Host}")]
    private partial void LogTicked(string function, bool isPastDue, string status, string host);
}
