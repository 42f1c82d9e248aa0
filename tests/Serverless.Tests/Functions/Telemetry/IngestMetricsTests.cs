using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Serverless.Pipeline.Ingest;
using Serverless.Testing;

namespace Serverless.Tests.Functions.Telemetry;

/// <summary>Ingest's meters, read with a <see cref="MeterListener"/> while a batch goes through Azurite and the local SignalR Service.</summary>
[Collection(PipelineCollection.Name)]
public sealed class IngestMetricsTests(PipelineFixture fixture)
{
    [Fact]
    public async Task A_batch_counts_what_was_stored_dead_lettered_and_pushed_and_records_its_size_duration_and_latency()
    {
        await using var ingest = new InProcessIngest(fixture.Settings);
        var measurements = new ConcurrentQueue<(string Instrument, double Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IngestMetrics.MeterName && instrument.Meter.Scope == ingest.Meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.Start();
        var channel = TestEvents.NewChannel();
        var bodies = Enumerable.Range(0, 3).Select(i => TestEvents.Update(channel, $"m{i}").ToJsonString()).Append("{not json").ToList();

        await ingest.RunAsync(TestEvents.Batch(bodies));

        double Sum(string name) => measurements.Where(m => m.Instrument == name).Sum(m => m.Value);
        Assert.Equal(3, Sum("serverless.updates.stored"));
        Assert.Equal(1, Sum("serverless.updates.dead_lettered"));
        Assert.Equal(3, Sum("serverless.updates.pushed"));
        Assert.Equal(0, Sum("serverless.push.failures"));
        Assert.Equal([4.0], measurements.Where(m => m.Instrument == "serverless.ingest.batch.size").Select(m => m.Value));
        Assert.Single(measurements, m => m.Instrument == "serverless.ingest.batch.duration" && m.Value > 0);
        // One latency per pushed update, from when Event Hubs enqueued it (the batch says: just now).
        var latencies = measurements.Where(m => m.Instrument == "serverless.update.latency").Select(m => m.Value).ToList();
        Assert.Equal(3, latencies.Count);
        Assert.All(latencies, l => Assert.InRange(l, 0, 60));
    }
}
