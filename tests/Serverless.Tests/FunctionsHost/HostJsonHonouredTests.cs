using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Serverless.EventHubs;
using Serverless.Testing;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// host.json as the host stand-in honours it, with the test app (tests/Serverless.TestApp) and settings that override
/// host.json as in Azure (docs/functions-host.md#hostjson): <c>functionTimeout</c> ends a hung invocation, HTTP or
/// Event Hubs, and restarts the worker; route constraints are checked; a setting the host does not use is named.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class HostJsonHonouredTests(PipelineFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private EventHubsServer eventHubs = null!;

    public async Task InitializeAsync() =>
        eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 1, ConsumerGroups = ["$Default"] });

    public async Task DisposeAsync() => await eventHubs.DisposeAsync();

    [Fact]
    public async Task A_hung_HTTP_invocation_ends_at_functionTimeout_and_the_worker_is_started_again()
    {
        await using var app = await StartAsync(("AzureFunctionsJobHost__functionTimeout", "00:00:02"));
        var worker = app.Supervisor.WorkerProcessId;
        // The function sleeps 5 minutes; without the timeout this client gives up first and the test fails.
        using var client = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(45) };

        using var hung = await client.GetAsync("api/slow?seconds=300");

        Assert.True((int)hung.StatusCode >= 500, $"answered {(int)hung.StatusCode}");
        Assert.Contains("FunctionTimeout", app.Log.EventNames);
        var answered = await Poll.UntilAsync(async () =>
        {
            using var response = await client.GetAsync("api/slow?seconds=0");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
        }, Wait);
        Assert.Equal(0, answered!.Value.GetProperty("slept").GetInt32());
        Assert.NotEqual(worker, app.Supervisor.WorkerProcessId);
    }

    [Fact]
    public async Task A_hung_batch_ends_at_functionTimeout_and_its_partition_goes_on()
    {
        await using var app = await StartAsync(("AzureFunctionsJobHost__functionTimeout", "00:00:02"));
        await using var producer = new EventHubProducerClient(eventHubs.ConnectionString, "updates");

        await producer.SendAsync([new EventData(Encoding.UTF8.GetBytes("hang"))]);
        // The hung batch times out, is retried once (the function's policy), times out again and is given up.
        await app.Log.WaitForAsync(e => e.EventName == "BatchAbandoned", TimeSpan.FromSeconds(90));
        await producer.SendAsync([new EventData(Encoding.UTF8.GetBytes("after"))]);

        await app.Log.WaitForAsync(e => e.EventName == "Handled" && e.Message.Contains("handled after"), Wait);
        Assert.Equal(2, app.Log.EventNames.Count(n => n == "FunctionTimeout"));
        Assert.Contains("RetriesExhausted", app.Log.EventNames);
    }

    [Theory]
    [InlineData("api/items/5", HttpStatusCode.OK)]
    [InlineData("api/items/5/widget", HttpStatusCode.OK)]
    [InlineData("api/items/abc", HttpStatusCode.NotFound)]
    [InlineData("api/items/0", HttpStatusCode.NotFound)]
    [InlineData("api/items/5/widget1", HttpStatusCode.NotFound)]
    [InlineData("api/items/5/widgetsgalore", HttpStatusCode.NotFound)]
    public async Task Route_constraints_are_checked_as_ASP_NET_Core_checks_them(string path, HttpStatusCode expected)
    {
        await using var app = await StartAsync();

        using var response = await app.Http.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_host_json_setting_the_host_does_not_use_is_named_in_a_warning_at_start()
    {
        await using var app = await StartAsync(("AzureFunctionsJobHost__extensions__http__maxConcurrentRequests", "10"));

        var warning = await app.Log.WaitForAsync(e => e.EventName == "HostJsonUnused", Wait);
        Assert.Contains("extensions.http.maxConcurrentRequests", warning.Message);
    }

    private Task<FunctionAppServer> StartAsync(params (string Name, string Value)[] extra)
    {
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, eventHubs.ConnectionString);
        settings["PoisonHub"] = "updates";
        TimerTriggerTests.QuietTimers(settings);
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }

        return FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, TestRepo.TestAppFolder));
    }
}
