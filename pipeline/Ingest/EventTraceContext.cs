using System.Diagnostics;
using System.Text.Json;
using Serverless.Contracts.EventHubs;

namespace Serverless.Pipeline.Ingest;

/// <summary>
/// The trace context a publisher sends with an event: application property <c>traceparent</c>, or else
/// <c>Diagnostic-Id</c> in the same W3C form, as the Event Hubs SDKs write it. Ingest links its batch span to it
/// (docs/telemetry.md).
/// </summary>
internal static class EventTraceContext
{
    /// <summary>Each event's trace context from the trigger's <c>PropertiesArray</c> (JSON text), null where it has none.</summary>
    public static string?[] Read(object? propertiesArray, int count)
    {
        var traceParents = new string?[count];
        // Most batches carry no trace context: their properties are not even parsed.
        if (propertiesArray is not string json
            || (!json.Contains(EventProperties.DiagnosticId, StringComparison.OrdinalIgnoreCase) && !json.Contains(EventProperties.TraceParent, StringComparison.OrdinalIgnoreCase)))
        {
            return traceParents;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return traceParents;
            }

            var i = 0;
            foreach (var properties in document.RootElement.EnumerateArray())
            {
                if (i == count)
                {
                    break;
                }

                traceParents[i++] = properties.ValueKind == JsonValueKind.Object ? Find(properties) : null;
            }
        }
        catch (JsonException)
        {
            // Properties that are not JSON carry no trace context; the events themselves are read on.
        }

        return traceParents;
    }

    /// <summary>The context a <c>traceparent</c> names, when it is a valid one.</summary>
    public static ActivityContext? Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : null;

    // The Azure SDKs' messaging tracing guidance: the W3C property first, Diagnostic-Id when it is missing.
    private static string? Find(JsonElement properties)
    {
        string? diagnosticId = null;
        foreach (var property in properties.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            if (property.Name.Equals(EventProperties.TraceParent, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.GetString();
            }

            if (property.Name.Equals(EventProperties.DiagnosticId, StringComparison.OrdinalIgnoreCase))
            {
                diagnosticId = property.Value.GetString();
            }
        }

        return diagnosticId;
    }
}
