using System.Diagnostics;
using Azure.Messaging.EventHubs;
using Serverless.Contracts.EventHubs;

namespace Serverless.Local.Publishing;

/// <summary>
/// The publisher's spans (activity source <c>Serverless.Publisher</c>): one per batch sent, whose context goes on each
/// of its events as <c>Diagnostic-Id</c>, where the Event Hubs SDKs put it, so that Ingest can link its work to it
/// (docs/telemetry.md). With nobody listening there is no span and no property.
/// </summary>
public static class PublishTracing
{
    public const string SourceName = "Serverless.Publisher";

    /// <summary>The channel a send is for, when all its events are of one (the same attribute name as Ingest's spans).</summary>
    public const string ChannelTag = "serverless.channel";

    /// <summary>How many channels a send's events are of.</summary>
    public const string ChannelCountTag = "serverless.channel.count";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartSend(string? partitionId)
    {
        var activity = Source.StartActivity("send", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "eventhubs");
        activity?.SetTag("messaging.operation.type", "send");
        if (partitionId is not null)
        {
            activity?.SetTag("messaging.destination.partition.id", partitionId);
        }

        return activity;
    }

    /// <summary>Tags a send with its events' channels: their number, and the channel when there is one.</summary>
    public static void SetChannels(Activity? send, IEnumerable<string?> channels)
    {
        if (send is null)
        {
            return;
        }

        var distinct = channels.OfType<string>().Distinct().ToList();
        send.SetTag(ChannelCountTag, distinct.Count);
        if (distinct.Count == 1)
        {
            send.SetTag(ChannelTag, distinct[0]);
        }
    }

    /// <summary>Puts the send's context on an event, unless it has one (the SDK's own tracing may have put it there).</summary>
    public static EventData Traced(this EventData data, Activity? send)
    {
        if (send?.Id is { } id)
        {
            data.Properties.TryAdd(EventProperties.DiagnosticId, id);
        }

        return data;
    }
}
