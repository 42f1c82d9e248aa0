using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Google.Protobuf;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.EventHubs;

/// <summary>
/// What an <c>eventHubTrigger</c> invocation carries, as the Azure host's Event Hubs extension sends it: the bodies
/// (a <c>collection_string</c> for <c>string[]</c>, bytes for <c>dataType</c> Binary) and the binding data
/// (<c>PartitionContext</c>, <c>SequenceNumberArray</c>, <c>OffsetArray</c>, <c>EnqueuedTimeUtcArray</c>,
/// <c>PartitionKeyArray</c>, <c>PropertiesArray</c>, <c>SystemPropertiesArray</c>; docs/functions-host.md).
/// </summary>
internal static class EventHubInvocation
{
    /// <summary>Where a batch was read.</summary>
    public sealed record Partition(string Namespace, string Hub, string ConsumerGroup, string PartitionId);

    public static void Fill(InvocationRequest request, string triggerName, Partition partition, IReadOnlyList<EventData> events, bool batched, bool binary)
    {
        request.InputData.Add(new ParameterBinding { Name = triggerName, Data = batched ? Bodies(events, binary) : Body(events[0], binary) });
        AddMetadata(request, partition, events, batched);
        if (events.Select(TraceParent).FirstOrDefault(context => context is not null) is { } traceParent)
        {
            request.TraceContext.TraceParent = traceParent;
        }
    }

    /// <summary>
    /// The W3C trace context an event was sent with (<c>traceparent</c>, else <c>Diagnostic-Id</c>, where the Azure SDKs
    /// put it). The invocation continues the first one of its batch, so that a send, its invocation and what the
    /// function does with it read as one trace (docs/telemetry.md#one-trace-from-send-to-push).
    /// </summary>
    private static string? TraceParent(EventData data)
    {
        foreach (var name in new[] { "traceparent", "Diagnostic-Id" })
        {
            if (data.Properties.TryGetValue(name, out var value) && value is string text && ActivityContext.TryParse(text, null, out _))
            {
                return text;
            }
        }

        return null;
    }

    private static TypedData Bodies(IReadOnlyList<EventData> events, bool binary)
    {
        if (binary)
        {
            var bytes = new CollectionBytes();
            bytes.Bytes.AddRange(events.Select(e => ByteString.CopyFrom(e.EventBody.ToMemory().Span)));
            return new TypedData { CollectionBytes = bytes };
        }

        var strings = new CollectionString();
        strings.String.AddRange(events.Select(e => Encoding.UTF8.GetString(e.EventBody.ToMemory().Span)));
        return new TypedData { CollectionString = strings };
    }

    private static TypedData Body(EventData data, bool binary) => binary
        ? new TypedData { Bytes = ByteString.CopyFrom(data.EventBody.ToMemory().Span) }
        : new TypedData { String = Encoding.UTF8.GetString(data.EventBody.ToMemory().Span) };

    /// <summary>The binding data of the Event Hubs extension: per-event arrays for a batch, single values otherwise.</summary>
    private static void AddMetadata(InvocationRequest request, Partition partition, IReadOnlyList<EventData> events, bool batched)
    {
        var metadata = request.TriggerMetadata;
        metadata["PartitionContext"] = new TypedData
        {
            Json = JsonSerializer.Serialize(new
            {
                FullyQualifiedNamespace = partition.Namespace,
                EventHubName = partition.Hub,
                partition.ConsumerGroup,
                partition.PartitionId,
                IsCheckpointingAfterInvocation = true,
            }),
        };
        var suffix = batched ? "Array" : "";
        if (batched)
        {
            var keys = new CollectionString();
            keys.String.AddRange(events.Select(e => e.PartitionKey ?? ""));
            metadata["PartitionKeyArray"] = new TypedData { CollectionString = keys };
            var offsets = new CollectionString();
            offsets.String.AddRange(events.Select(e => e.OffsetString ?? ""));
            metadata["OffsetArray"] = new TypedData { CollectionString = offsets };
            var sequenceNumbers = new CollectionSInt64();
            sequenceNumbers.Sint64.AddRange(events.Select(e => e.SequenceNumber));
            metadata["SequenceNumberArray"] = new TypedData { CollectionSint64 = sequenceNumbers };
            metadata["EnqueuedTimeUtcArray"] = new TypedData { Json = JsonSerializer.Serialize(events.Select(e => Time(e.EnqueuedTime))) };
        }
        else
        {
            var single = events[0];
            metadata["PartitionKey"] = new TypedData { String = single.PartitionKey ?? "" };
            metadata["Offset"] = new TypedData { String = single.OffsetString ?? "" };
            metadata["SequenceNumber"] = new TypedData { Int = single.SequenceNumber };
            metadata["EnqueuedTimeUtc"] = new TypedData { Json = JsonSerializer.Serialize(Time(single.EnqueuedTime)) };
        }

        metadata["Properties" + suffix] = new TypedData { Json = JsonSerializer.Serialize(batched ? events.Select(e => e.Properties) : (object)events[0].Properties) };
        var system = events.Select(e => new Dictionary<string, object?>
        {
            ["x-opt-sequence-number"] = e.SequenceNumber,
            ["x-opt-offset"] = e.OffsetString,
            ["x-opt-enqueued-time"] = Time(e.EnqueuedTime),
            ["x-opt-partition-key"] = e.PartitionKey,
            ["SequenceNumber"] = e.SequenceNumber,
            ["Offset"] = e.OffsetString,
            ["PartitionKey"] = e.PartitionKey,
            ["EnqueuedTimeUtc"] = Time(e.EnqueuedTime),
        }).ToList();
        metadata["SystemProperties" + suffix] = new TypedData { Json = JsonSerializer.Serialize(batched ? system : (object)system[0]) };
    }

    // The extension binds EnqueuedTime.DateTime, which Newtonsoft writes without an offset: it is UTC.
    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}
