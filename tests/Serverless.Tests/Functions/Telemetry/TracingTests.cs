using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Contracts.Settings;
using Serverless.EventHubs;
using Serverless.Local.Publishing;
using Serverless.Pipeline.Ingest;
using Serverless.Testing;
using Serverless.Testing.Telemetry;

namespace Serverless.Tests.Functions.Telemetry;

/// <summary>
/// Traces through the real parts: our publisher sends with the official Event Hubs SDK to the local Event Hubs, the
/// host stand-in invokes the real worker, and the worker exports its spans over OTLP to a collector the test runs.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class TracingTests(PipelineFixture fixture) : IAsyncLifetime
{
    private EventHubsServer eventHubs = null!;
    private SpanCollector collector = null!;

    public async Task InitializeAsync()
    {
        eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 2, ConsumerGroups = ["ingest"] });
        collector = await SpanCollector.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await collector.DisposeAsync();
        await eventHubs.DisposeAsync();
    }

    [Fact]
    public async Task The_publishers_trace_context_travels_on_each_event_and_ingest_records_a_span_per_batch_store_and_push()
    {
        var settings = ExportingSettings();
        await using var app = await FunctionAppServer.StartAsync(settings);
        var sends = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PublishTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = sends.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var channel = TestEvents.NewChannel();

        await using (var producer = new EventHubProducerClient(eventHubs.ConnectionString, "updates"))
        {
            var updates = Enumerable.Range(0, 3).Select(i => OutgoingUpdate.From(TestEvents.Update(channel, $"t{i}")));
            await new RatePublisher(producer, rate: 0, count: 3).RunAsync(updates.ToAsyncEnumerable(), CancellationToken.None);
        }

        await ChannelLog.WaitForHeadAsync(app.Http, channel, 3);
        // Other tests may publish in this process meanwhile: the send of this channel is the one.
        var send = Assert.Single(sends, s => (string?)s.GetTagItem(PublishTracing.ChannelTag) == channel);
        var ingest = await SpanAsync(() => collector.Spans.FirstOrDefault(s => s.Name == "ingest" && s.Links.Any(l => l.SpanId == send.SpanId.ToHexString())));
        var store = await SpanAsync(() => collector.Spans.FirstOrDefault(s => s.Name == "store" && s.ParentSpanId == ingest.SpanId && s.Text(IngestTracing.Channel) == channel));
        var push = await SpanAsync(() => collector.Spans.FirstOrDefault(s => s.Name == "push" && s.ParentSpanId == ingest.SpanId && s.Text(IngestTracing.Channel) == channel));

        // The batch's span links to the publisher's send, and says when Event Hubs enqueued its events.
        var link = Assert.Single(ingest.Links, l => l.SpanId == send.SpanId.ToHexString());
        Assert.Equal(send.TraceId.ToHexString(), link.TraceId);
        var enqueued = DateTimeOffset.FromUnixTimeMilliseconds(Assert.IsType<long>(link.Attributes[IngestTracing.EnqueuedTime]));
        Assert.InRange(enqueued, send.StartTimeUtc.AddSeconds(-5), ingest.Start.AddSeconds(5));
        Assert.Equal(IngestTracing.SourceName, ingest.Scope);
        Assert.Equal(3L, ingest.Long("messaging.batch.message_count"));
        // Store, then push, for the channel's sequence numbers 1 to 3, inside the batch's span.
        Assert.Equal((1L, 3L), (store.Long(IngestTracing.FirstSeq), store.Long(IngestTracing.LastSeq)));
        Assert.Equal((1L, 3L), (push.Long(IngestTracing.FirstSeq), push.Long(IngestTracing.LastSeq)));
        Assert.True(store.End <= push.Start, "the push began before the store ended");
        Assert.InRange(store.Start, ingest.Start, ingest.End);
        Assert.InRange(push.End, ingest.Start, ingest.End);
    }

    [Fact]
    public async Task With_application_insights_set_as_well_the_worker_starts_and_still_exports_over_otlp()
    {
        var settings = ExportingSettings();
        // As the infra sets it; its ingestion endpoint here refuses connections, so nothing leaves the machine.
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
        await using var app = await FunctionAppServer.StartAsync(settings);
        var channel = TestEvents.NewChannel();

        await using (var producer = new EventHubProducerClient(eventHubs.ConnectionString, "updates"))
        {
            await producer.SendAsync([new Azure.Messaging.EventHubs.EventData(TestEvents.Update(channel, "ai").ToJsonString())], new SendEventOptions { PartitionKey = channel });
        }

        await ChannelLog.WaitForHeadAsync(app.Http, channel, 1);
        var store = await SpanAsync(() => collector.Spans.FirstOrDefault(s => s.Name == "store" && s.Text(IngestTracing.Channel) == channel));
        Assert.Equal(1L, store.Long(IngestTracing.LastSeq));
    }

    /// <summary>The app's settings, with the worker's spans sent over OTLP to the test's collector every 200 ms.</summary>
    private Dictionary<string, string?> ExportingSettings()
    {
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, eventHubs.ConnectionString);
        settings[SettingNames.UpdatesTable] = "trace" + Guid.NewGuid().ToString("N")[..12];
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString();
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        return settings;
    }

    /// <summary>The first span the check finds, within 30 s.</summary>
    private static Task<CollectedSpan> SpanAsync(Func<CollectedSpan?> check) => Poll.UntilAsync(() => Task.FromResult(check()), TimeSpan.FromSeconds(30));
}
