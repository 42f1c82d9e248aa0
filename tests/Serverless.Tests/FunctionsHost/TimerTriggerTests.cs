using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Testing;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// Timer triggers under the host stand-in, as the Functions host runs them (docs/functions-host.md#timer-triggers), with
/// the test app's timers (tests/Serverless.TestApp/TickFunctions.cs, the official Timer package): <c>runOnStartup</c>,
/// the schedule status where the host keeps it, a due time missed while no host ran, frequent schedules without a
/// status, and one host of two running a timer until it stops.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class TimerTriggerTests(PipelineFixture fixture)
{
    private const string Yearly = "0 0 0 1 1 *";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Schedules for the test app's timers that keep them quiet, for tests of its other functions.</summary>
    internal static void QuietTimers(IDictionary<string, string?> settings)
    {
        settings["TickSchedule"] = Yearly;
        settings["TickOnStartSchedule"] = Yearly;
    }

    [Fact]
    public async Task A_timer_with_runOnStartup_runs_at_start_and_its_status_is_kept_where_the_host_keeps_it()
    {
        var hostId = NewHostId();
        var settings = Settings(hostId, "a");
        settings["TickOnStartSchedule"] = "0 0 * * * *";
        var started = DateTime.Now;

        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, TestRepo.TestAppFolder));
        var ran = await app.Log.WaitForAsync(e => e.EventName == "Ticked" && e.Message.Contains("] TickOnStart ran", StringComparison.Ordinal), Wait);

        Assert.Contains("past due False", ran.Message);
        Assert.DoesNotContain("status none", ran.Message);
        var status = await Poll.UntilAsync(() => StatusAsync(hostId, "TickOnStart", last => last >= started.AddSeconds(-1)), Wait);
        var nextHour = new DateTime(status.Last.Year, status.Last.Month, status.Last.Day, status.Last.Hour, 0, 0, DateTimeKind.Local).AddHours(1);
        Assert.Equal(nextHour, status.Next);
    }

    [Fact]
    public async Task A_due_time_missed_while_no_host_ran_is_run_at_start_as_past_due()
    {
        var hostId = NewHostId();
        var settings = Settings(hostId, "a");
        settings["TickSchedule"] = "0 */5 * * * *";
        // What a host that stopped 10 minutes ago left: its last run, and the next one, now gone by.
        var now = DateTime.Now;
        var last = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute / 5 * 5, 0, DateTimeKind.Local).AddMinutes(-10);
        await WriteStatusAsync(hostId, "Tick", last, last.AddMinutes(5));

        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, TestRepo.TestAppFolder));
        var ran = await app.Log.WaitForAsync(e => e.EventName == "Ticked" && e.Message.Contains("] Tick ran", StringComparison.Ordinal), Wait);

        Assert.Contains("past due True", ran.Message);
        Assert.Contains("TimerPastDue", app.Log.EventNames);
        var status = await Poll.UntilAsync(() => StatusAsync(hostId, "Tick", recorded => recorded > last), Wait);
        Assert.True(status.Last >= now.AddSeconds(-1), $"the status's last run is {status.Last:o}, before the host started at {now:o}");
        Assert.True(status.Next > status.Last);
    }

    [Fact]
    public async Task A_schedule_of_every_second_runs_every_second_and_keeps_no_status()
    {
        var hostId = NewHostId();
        var settings = Settings(hostId, "a");
        settings["TickSchedule"] = "*/1 * * * * *";

        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, TestRepo.TestAppFolder));
        await Poll.UntilAsync(() => Task.FromResult(Ticks(app, "Tick").Count >= 3 ? (bool?)true : null), Wait);

        Assert.All(Ticks(app, "Tick"), message => Assert.Contains("status none", message));
        Assert.False(await Container().GetBlobClient($"timers/{hostId}/Host.Functions.Tick/status").ExistsAsync());
    }

    [Fact]
    public async Task Of_two_hosts_on_one_storage_one_runs_a_timer_and_the_other_takes_over_when_it_stops()
    {
        var hostId = NewHostId();
        var first = Settings(hostId, "first");
        var second = Settings(hostId, "second");
        first["TickSchedule"] = second["TickSchedule"] = "*/1 * * * * *";

        var a = await FunctionAppServer.StartAsync(FunctionAppServer.Options(first, TestRepo.TestAppFolder));
        await using var b = await FunctionAppServer.StartAsync(FunctionAppServer.Options(second, TestRepo.TestAppFolder));
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(Ticks(a, "Tick").Count >= 4 ? (bool?)true : null), Wait);
            await b.Log.WaitForAsync(e => e.EventName == "TimerWaitingForLock", Wait);

            Assert.Empty(Ticks(b, "Tick"));
            Assert.All(Ticks(a, "Tick"), message => Assert.EndsWith("host first", message));
        }
        finally
        {
            await a.DisposeAsync();
        }

        // The stopped host gave its lock back: the other runs the timer within its recovery interval (2 s in the test app's host.json).
        await Poll.UntilAsync(() => Task.FromResult(Ticks(b, "Tick").Count >= 2 ? (bool?)true : null), Wait);
        Assert.All(Ticks(b, "Tick"), message => Assert.EndsWith("host second", message));
    }

    private Dictionary<string, string?> Settings(string hostId, string host)
    {
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, fixture.EventHubs.ConnectionString);
        settings["PoisonHub"] = "updates";
        QuietTimers(settings);
        settings["AzureFunctionsWebHost__hostid"] = hostId;
        settings["TickHost"] = host;
        return settings;
    }

    private static string NewHostId() => $"timers-{Guid.NewGuid():N}"[..24];

    private static List<string> Ticks(FunctionAppServer app, string function) =>
        [.. app.Log.Entries.Where(e => e.EventName == "Ticked" && e.Message.Contains($"] {function} ran", StringComparison.Ordinal)).Select(e => e.Message)];

    private BlobContainerClient Container() => new(fixture.Azurite.ConnectionString, "azure-webjobs-hosts");

    private async Task WriteStatusAsync(string hostId, string function, DateTime last, DateTime next)
    {
        await Container().CreateIfNotExistsAsync();
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["Last"] = last.ToString("o", CultureInfo.InvariantCulture),
            ["Next"] = next.ToString("o", CultureInfo.InvariantCulture),
            ["LastUpdated"] = last.ToString("o", CultureInfo.InvariantCulture),
        });
        await Container().GetBlobClient($"timers/{hostId}/Host.Functions.{function}/status").UploadAsync(BinaryData.FromString(json), overwrite: true);
    }

    private async Task<Status?> StatusAsync(string hostId, string function, Func<DateTime, bool> accept)
    {
        var blob = Container().GetBlobClient($"timers/{hostId}/Host.Functions.{function}/status");
        if (!await blob.ExistsAsync())
        {
            return null;
        }

        var json = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString()).RootElement;
        DateTime Read(string name) => DateTime.Parse(json.GetProperty(name).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToLocalTime();
        var status = new Status(Read("Last"), Read("Next"));
        return accept(status.Last) ? status : null;
    }

    private sealed record Status(DateTime Last, DateTime Next);
}
