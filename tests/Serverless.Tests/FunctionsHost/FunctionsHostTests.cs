using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs.Producer;
using Azure.Messaging.EventHubs;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.EventHubs;
using Serverless.FunctionsHost.EventHubs;
using Serverless.Testing;
using Serverless.Tooling;
using Serverless.Updates.Client;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// The whole path of an update with real parts: published with the official Event Hubs SDK to the local Event Hubs,
/// read by the Functions host stand-in on the official client, handed over gRPC to the function app's real worker
/// process, stored in Azurite and read back through the host's HTTP forwarding. Each test runs its own host, so that
/// it can stop, restart or kill it.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class FunctionsHostTests(PipelineFixture fixture) : IAsyncLifetime
{
    private readonly string updatesTable = "e2e" + Guid.NewGuid().ToString("N")[..12];
    private readonly string deadLettersTable = "e2edead" + Guid.NewGuid().ToString("N")[..12];
    private EventHubsServer eventHubs = null!;
    private EventHubProducerClient producer = null!;

    public async Task InitializeAsync()
    {
        eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 2, ConsumerGroups = ["ingest"] });
        producer = new EventHubProducerClient(eventHubs.ConnectionString, "updates");
    }

    public async Task DisposeAsync()
    {
        await producer.DisposeAsync();
        await eventHubs.DisposeAsync();
    }

    private Dictionary<string, string?> Settings(string? signalR = null)
    {
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, signalR ?? fixture.SignalR.ConnectionString, eventHubs.ConnectionString);
        settings[SettingNames.UpdatesTable] = updatesTable;
        settings[SettingNames.DeadLettersTable] = deadLettersTable;
        return settings;
    }

    [Fact]
    public async Task Updates_published_with_the_official_sdk_are_stored_in_order_with_duplicates_and_bad_events_dead_lettered()
    {
        await using var app = await FunctionAppServer.StartAsync(Settings());
        var channels = new[] { TestEvents.NewChannel(), TestEvents.NewChannel() };

        foreach (var channel in channels)
        {
            // The channel is the partition key, so that a channel's updates keep their order.
            await producer.SendAsync(Enumerable.Range(0, 10).Select(i => Event(TestEvents.Update(channel, $"e{i}", new { i }).ToJsonString())),
                new SendEventOptions { PartitionKey = channel });
        }

        // A source that used an id again for other content (a duplicate), and a body that is no event.
        await producer.SendAsync([Event(TestEvents.Update(channels[0], "e3", new { i = 33 }).ToJsonString()), Event("{not json")],
            new SendEventOptions { PartitionKey = channels[0] });
        await producer.SendAsync([Event(TestEvents.Update(channels[0], "e10", new { i = 10 }).ToJsonString())], new SendEventOptions { PartitionKey = channels[0] });

        var first = await ChannelLog.WaitForHeadAsync(app.Http, channels[0], 11);
        var second = await ChannelLog.WaitForHeadAsync(app.Http, channels[1], 10);

        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"e{i}"), Ids(first));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), Seqs(first));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), Ids(second));
        // Dead letters are written once the batch's channels are stored and pushed.
        var letters = await Eventually(async () =>
        {
            var found = await new TableClient(fixture.Azurite.ConnectionString, deadLettersTable).QueryAsync<TableEntity>().ToListAsync();
            return found.Count >= 2 ? found : null;
        });
        Assert.Equal(["duplicate", "malformed-json"], letters.Select(l => l.GetString("Reason")).Order());
        // Each dead letter keeps where the event was in Event Hubs, from the trigger's metadata.
        Assert.All(letters, letter =>
        {
            Assert.Equal(channels[0], letter.GetString("EventHubPartitionKey"));
            Assert.StartsWith("partition-", letter.PartitionKey);
            Assert.Equal(letter.PartitionKey, $"partition-{letter.GetString("EventHubPartition")}");
            Assert.NotNull(letter.GetInt64("SequenceNumber"));
            Assert.False(string.IsNullOrEmpty(letter.GetString("Offset")));
            Assert.NotNull(letter.GetDateTimeOffset("EnqueuedTimeUtc"));
        });
    }

    [Fact]
    public async Task A_batch_that_cannot_be_stored_is_retried_with_a_retry_context_and_stored_once()
    {
        await using var app = await FunctionAppServer.StartAsync(Settings());
        var (before, during) = (TestEvents.NewChannel(), TestEvents.NewChannel());
        await producer.SendAsync(Enumerable.Range(0, 3).Select(i => Event(TestEvents.Update(before, $"b{i}").ToJsonString())), new SendEventOptions { PartitionKey = before });
        await ChannelLog.WaitForHeadAsync(app.Http, before, 3);

        // Storage fails under the app (its table is gone), so Ingest throws until the table is back.
        var table = new TableClient(fixture.Azurite.ConnectionString, updatesTable);
        await table.DeleteAsync();
        await producer.SendAsync(Enumerable.Range(0, 5).Select(i => Event(TestEvents.Update(during, $"d{i}").ToJsonString())), new SendEventOptions { PartitionKey = during });
        var retried = await app.Log.WaitForAsync(e => e.EventName == "IngestRetried", TimeSpan.FromSeconds(60));
        await table.CreateIfNotExistsAsync();
        var stored = await ChannelLog.WaitForHeadAsync(app.Http, during, 5);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"d{i}"), Ids(stored));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), Seqs(stored));
        // The worker saw the retry in its FunctionContext.RetryContext: retry 1 of a policy without end.
        Assert.Contains("retry 1 (of -1", retried.Message);
        Assert.Equal("Function.Ingest", retried.Category);
        Assert.Contains("InvocationRetried", app.Log.EventNames);
        Assert.DoesNotContain("RetriesExhausted", app.Log.EventNames);
    }

    [Fact]
    public async Task After_a_host_restart_nothing_is_skipped_and_nothing_done_is_delivered_again()
    {
        var channel = TestEvents.NewChannel();
        var settings = Settings();
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, CheckpointStore.ContainerName);
        await using (var app = await FunctionAppServer.StartAsync(settings))
        {
            await producer.SendAsync(Enumerable.Range(0, 6).Select(i => Event(TestEvents.Update(channel, $"a{i}").ToJsonString())), new SendEventOptions { PartitionKey = channel });
            await ChannelLog.WaitForHeadAsync(app.Http, channel, 6);
            // The batch is done once its last event is checkpointed, where the Azure host keeps checkpoints.
            await Eventually(async () => (await Checkpoints(container)).Any(c => c.Metadata.TryGetValue(CheckpointStore.SequenceNumberKey, out var n) && n == "5") ? true : (bool?)null);
        }

        // While no host runs, more arrives.
        await producer.SendAsync(Enumerable.Range(0, 4).Select(i => Event(TestEvents.Update(channel, $"b{i}").ToJsonString())), new SendEventOptions { PartitionKey = channel });
        await using var restarted = await FunctionAppServer.StartAsync(settings);
        var stored = await ChannelLog.WaitForHeadAsync(restarted.Http, channel, 10);

        Assert.Equal([.. Enumerable.Range(0, 6).Select(i => $"a{i}"), .. Enumerable.Range(0, 4).Select(i => $"b{i}")], Ids(stored));
        // The new worker stored the new updates only: nothing done before the restart came again. (It counts a batch
        // after pushing it, so the count can trail the head for a moment.)
        var health = await Eventually(async () =>
            (await restarted.Http.GetFromJsonAsync<HealthReport>(ApiRoutes.Health, UpdatesApi.Json))!.Ingest is { Stored: >= 4 } ingest ? ingest : null);
        Assert.Equal(0, health.Replayed);
        Assert.Equal(4, health.Stored);
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_stops_no_partition()
    {
        var channel = TestEvents.NewChannel();
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, CheckpointStore.ContainerName);
        await using var app = await FunctionAppServer.StartAsync(Settings());
        await producer.SendAsync(Enumerable.Range(0, 3).Select(i => Event(TestEvents.Update(channel, $"a{i}").ToJsonString())), new SendEventOptions { PartitionKey = channel });
        await ChannelLog.WaitForHeadAsync(app.Http, channel, 3);
        var checkpoint = await Eventually(async () => (await Checkpoints(container)).FirstOrDefault(c => c.Metadata.TryGetValue(CheckpointStore.SequenceNumberKey, out var n) && n == "2"));

        // Another holds the checkpoint blob's lease, so every checkpoint write of that partition fails from now on.
        var lease = container.GetBlobClient(checkpoint.Name).GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(-1));
        try
        {
            for (var round = 0; round < 3; round++)
            {
                await producer.SendAsync(Enumerable.Range(0, 2).Select(i => Event(TestEvents.Update(channel, $"b{round}.{i}").ToJsonString())), new SendEventOptions { PartitionKey = channel });
                await ChannelLog.WaitForHeadAsync(app.Http, channel, 3 + 2 * (round + 1));
            }

            Assert.Contains("CheckpointFailed", app.Log.EventNames);
        }
        finally
        {
            await lease.ReleaseAsync();
        }

        // The partition went on all along, and the next batch writes its checkpoint.
        await producer.SendAsync([Event(TestEvents.Update(channel, "c").ToJsonString())], new SendEventOptions { PartitionKey = channel });
        var stored = await ChannelLog.WaitForHeadAsync(app.Http, channel, 10);
        await Eventually(async () => (await Checkpoints(container)).Any(c => c.Name == checkpoint.Name && c.Metadata[CheckpointStore.SequenceNumberKey] == "9") ? true : (bool?)null);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Seqs(stored));
        Assert.DoesNotContain("PartitionFailed", app.Log.EventNames);
    }

    [Fact]
    public async Task A_worker_killed_mid_batch_is_started_again_and_the_batch_is_stored_once()
    {
        // A SignalR Service that accepts connections and never answers: a batch is stored, then its push hangs.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var settings = Settings($"Endpoint=http://localhost;Port={silentPort};AccessKey={fixture.SignalR.AccessKey};Version=1.0;");
        settings[SettingNames.SignalRPushAttempts] = "1";
        await using var app = await FunctionAppServer.StartAsync(settings);
        var channel = TestEvents.NewChannel();
        var firstWorker = app.Supervisor.WorkerProcessId!.Value;

        await producer.SendAsync(Enumerable.Range(0, 5).Select(i => Event(TestEvents.Update(channel, $"k{i}").ToJsonString())), new SendEventOptions { PartitionKey = channel });
        await ChannelLog.WaitForHeadAsync(app.Http, channel, 5);
        Process.GetProcessById(firstWorker).Kill();

        await app.Log.WaitForAsync(e => e.EventName == "WorkerRestarting", TimeSpan.FromSeconds(30));
        var redelivered = await app.Log.WaitForAsync(e => e.EventName == "UpdatesIngested" && e.Message.Contains("5 redelivered"), TimeSpan.FromSeconds(90));
        var stored = await ChannelLog.WaitForHeadAsync(app.Http, channel, 5);

        Assert.NotEqual(firstWorker, app.Supervisor.WorkerProcessId);
        Assert.Contains("0 stored", redelivered.Message);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"k{i}"), Ids(stored));
        Assert.Equal(5, stored.Head);
    }

    [Fact]
    public async Task When_a_functions_retries_run_out_its_batch_is_checkpointed_past_and_the_partition_goes_on()
    {
        // The test app's Poison function fails on a body "poison", with one retry a second later (tests/Serverless.TestApp).
        var settings = Settings();
        settings["PoisonHub"] = "updates";
        TimerTriggerTests.QuietTimers(settings);
        var options = FunctionAppServer.Options(settings, TestRepo.TestAppFolder);
        var partition = new SendEventOptions { PartitionKey = "one-partition" };
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, CheckpointStore.ContainerName);
        await using (var app = await FunctionAppServer.StartAsync(options))
        {
            await producer.SendAsync([Event("poison")], partition);
            var abandoned = await app.Log.WaitForAsync(e => e.EventName == "BatchAbandoned", TimeSpan.FromSeconds(60));
            // The abandoned batch is checkpointed: its partition's checkpoint names it (sequence number 0).
            await Eventually(async () => (await Checkpoints(container, "$default")).Any(c => c.Metadata.TryGetValue(CheckpointStore.SequenceNumberKey, out var n) && n == "0") ? true : (bool?)null);

            Assert.Equal(1, app.Log.EventNames.Count(n => n == "InvocationRetried"));
            Assert.Single(app.Log.EventNames, n => n == "RetriesExhausted");
            Assert.Contains("checkpointed past", abandoned.Message);
        }

        // A host that starts again goes on after the abandoned batch: it is not delivered again.
        await using var restarted = await FunctionAppServer.StartAsync(options with { Port = LoopbackPorts.Free() });
        await producer.SendAsync([Event("after")], partition);
        await restarted.Log.WaitForAsync(e => e.EventName == "Handled" && e.Message.Contains("handled after"), TimeSpan.FromSeconds(60));

        Assert.DoesNotContain("InvocationRetried", restarted.Log.EventNames);
        Assert.DoesNotContain("RetriesExhausted", restarted.Log.EventNames);
    }

    [Fact]
    public async Task The_signalRConnectionInfo_input_gives_the_client_url_and_a_token_for_the_user_its_expression_names()
    {
        // The test app's BindingNegotiate answers what the host's binding made (tests/Serverless.TestApp).
        var settings = Settings();
        settings["PoisonHub"] = "updates";
        TimerTriggerTests.QuietTimers(settings);
        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, TestRepo.TestAppFolder));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/negotiate");
        request.Headers.Add("x-test-user", "carol");

        using var response = await app.Http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal($"http://localhost:{fixture.SignalR.Port}/client/?hub=updates", body.GetProperty("url").GetString());
        var claims = Jwt.ValidatedPayload(body.GetProperty("accessToken").GetString()!, fixture.SignalR.AccessKey);
        Assert.Equal("http://localhost/client/?hub=updates", claims.GetProperty("aud").GetString());
        Assert.Equal("carol", claims.GetProperty("nameid").GetString());
        Assert.Equal(3600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
    }

    private static EventData Event(string body) => new(Encoding.UTF8.GetBytes(body));

    /// <summary>The checkpoint blobs of the hub's ingest consumer group, named as the Azure host names them.</summary>
    private async Task<List<Azure.Storage.Blobs.Models.BlobItem>> Checkpoints(BlobContainerClient container, string consumerGroup = "ingest") =>
        await container.ExistsAsync()
            ? await container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.Metadata, Azure.Storage.Blobs.Models.BlobStates.None,
                $"localhost:{eventHubs.Port}/updates/{consumerGroup}/checkpoint/", CancellationToken.None).ToListAsync()
            : [];

    private static Task<T> Eventually<T>(Func<Task<T?>> check) => Poll.UntilAsync(check, TimeSpan.FromSeconds(60));

    private static IEnumerable<string> Ids(UpdatesPage page) => page.Updates.Select(u => u.Id);

    private static IEnumerable<long> Seqs(UpdatesPage page) => page.Updates.Select(u => u.Seq);
}
