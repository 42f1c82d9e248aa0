using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.EventHubs;
using Serverless.EventHubs.Client;
using Serverless.FunctionsHost;
using Serverless.Testing;

namespace Serverless.Tests.EndToEnd;

/// <summary>
/// Events published to the local Event Hubs reach Ingest through the Functions host stand-in, which starts the function
/// app's own executable; the stored log is read back through the host's HTTP forwarding.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class HostStandInTests(PipelineFixture fixture) : IAsyncLifetime
{
    private readonly string updatesTable = "hostupdates" + Guid.NewGuid().ToString("N")[..8];
    private readonly CapturingLoggerProvider hostLog = new();
    private EventHubsServer eventHubs = null!;
    private WebApplication host = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 4, ConsumerGroups = ["ingest"] });
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["EventHubConnection"] = eventHubs.ConnectionString,
            ["EventHubName"] = "updates",
            ["EventHubConsumerGroup"] = "ingest",
            ["AzureSignalRConnectionString"] = fixture.SignalR.ConnectionString,
            ["Tables__Updates"] = updatesTable,
        };
        var port = FreePort.Next();
        var appFolder = Path.GetDirectoryName(typeof(Serverless.Functions.FunctionApp).Assembly.Location)!;
        host = FunctionsHostApp.Build(new FunctionsHostOptions(appFolder, port, settings), builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(hostLog).SetMinimumLevel(LogLevel.Information);
        });
        // Off the test framework's synchronization context, as the host runs in its own process.
        await Task.Run(() => FunctionsHostApp.StartAsync(host));
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await host.StopAsync();
        await host.DisposeAsync();
        await eventHubs.DisposeAsync();
    }

    [Fact]
    public async Task Published_updates_are_ingested_through_the_host_and_stored_in_order_per_channel()
    {
        var channels = Enumerable.Range(0, 3).Select(_ => TestEvents.NewChannel()).ToArray();
        await using var connection = await EventHubsConnection.OpenAsync(eventHubs.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");
        foreach (var channel in channels)
        {
            // The channel is the partition key, so that a channel's updates keep their order (DESIGN.md).
            var events = Enumerable.Range(0, 10).Select(i => new EventData(Encoding.UTF8.GetBytes(TestEvents.Update(channel, $"e{i}", new { i }).ToJsonString())));
            await producer.SendAsync([.. events], partitionKey: channel);
        }

        foreach (var channel in channels)
        {
            var stored = await WaitForHeadAsync(channel, 10);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), stored.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), stored.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("seq").GetInt64()));
        }
    }

    [Fact]
    public async Task A_batch_that_fails_is_delivered_again_per_the_retry_policy_and_stored_once()
    {
        var (before, during) = (TestEvents.NewChannel(), TestEvents.NewChannel());
        await using var connection = await EventHubsConnection.OpenAsync(eventHubs.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");
        await producer.SendAsync([.. Enumerable.Range(0, 3).Select(i => Event(before, $"b{i}"))], partitionKey: before);
        await WaitForHeadAsync(before, 3);

        // Storage fails under the app (its table is gone), so Ingest answers 500 until the table is back.
        var table = fixture.Table(updatesTable);
        await table.DeleteAsync();
        await producer.SendAsync([.. Enumerable.Range(0, 5).Select(i => Event(during, $"d{i}"))], partitionKey: during);
        await WaitForLogAsync("InvocationRetried");
        await table.CreateIfNotExistsAsync();
        var stored = await WaitForHeadAsync(during, 5);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"d{i}"), stored.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), stored.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("seq").GetInt64()));
        Assert.Equal(5, stored.GetProperty("head").GetInt64());
        Assert.DoesNotContain("RetriesExhausted", hostLog.EventNames);
    }

    [Fact]
    public async Task After_the_retries_are_exhausted_the_host_checkpoints_past_the_batch_as_azure_does()
    {
        // A copy of the app whose Ingest allows one retry, one second apart.
        var appFolder = Directory.CreateTempSubdirectory("app-").FullName;
        var source = Path.GetDirectoryName(typeof(Serverless.Functions.FunctionApp).Assembly.Location)!;
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(appFolder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var ingest = Path.Combine(appFolder, "Ingest", "function.json");
        var definition = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ingest))!;
        definition["retry"] = new System.Text.Json.Nodes.JsonObject { ["strategy"] = "fixedDelay", ["maxRetryCount"] = 1, ["delayInterval"] = "00:00:01" };
        File.WriteAllText(ingest, definition.ToJsonString());

        var log = new CapturingLoggerProvider();
        var table = "hostexhausted" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["EventHubConnection"] = eventHubs.ConnectionString,
            ["EventHubName"] = "updates",
            ["EventHubConsumerGroup"] = "$Default",
            ["AzureSignalRConnectionString"] = fixture.SignalR.ConnectionString,
            ["Tables__Updates"] = table,
        };
        var port = FreePort.Next();
        var exhausting = FunctionsHostApp.Build(new FunctionsHostOptions(appFolder, port, settings), builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(log).SetMinimumLevel(LogLevel.Information);
        });
        await Task.Run(() => FunctionsHostApp.StartAsync(exhausting));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var channel = TestEvents.NewChannel();
        await using var connection = await EventHubsConnection.OpenAsync(eventHubs.ConnectionString);
        await using var producer = new EventHubProducer(connection, "updates");
        try
        {
            await producer.SendAsync([Event(channel, "warm-up")], partitionKey: channel);
            await ChannelLog.WaitForHeadAsync(client, channel, 1);

            await fixture.Table(table).DeleteAsync();
            await producer.SendAsync([Event(channel, "lost")], partitionKey: channel);
            await WaitForLogAsync(log, "RetriesExhausted");
            await fixture.Table(table).CreateIfNotExistsAsync();
            await producer.SendAsync([Event(channel, "after")], partitionKey: channel);
            var stored = await ChannelLog.WaitForHeadAsync(client, channel, 1);

            // The table was recreated, so the channel starts a new log; the failed batch is not delivered again.
            Assert.Equal(["after"], stored.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
            Assert.Equal(1, log.EventNames.Count(n => n == "InvocationRetried"));
        }
        finally
        {
            await exhausting.StopAsync();
            await exhausting.DisposeAsync();
            Directory.Delete(appFolder, recursive: true);
        }
    }

    private static EventData Event(string channel, string id) => new(Encoding.UTF8.GetBytes(TestEvents.Update(channel, id).ToJsonString()));

    private Task WaitForLogAsync(string eventName) => WaitForLogAsync(hostLog, eventName);

    private static async Task WaitForLogAsync(CapturingLoggerProvider log, string eventName)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!log.EventNames.Contains(eventName))
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private Task<JsonElement> WaitForHeadAsync(string channel, long head) => ChannelLog.WaitForHeadAsync(http, channel, head);
}
