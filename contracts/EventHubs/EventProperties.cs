namespace Serverless.Contracts.EventHubs;

/// <summary>Event Hubs application properties the pipeline reads beside an event's body.</summary>
public static class EventProperties
{
    /// <summary>
    /// The publisher's trace context in W3C <c>traceparent</c> form, under the name the Event Hubs SDKs give it when
    /// their tracing is on (docs/telemetry.md).
    /// </summary>
    public const string DiagnosticId = "Diagnostic-Id";

    /// <summary>The same under the W3C name; read first when an event has both.</summary>
    public const string TraceParent = "traceparent";
}
