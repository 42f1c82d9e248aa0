using OpenTelemetry;
using OpenTelemetry.Trace;
using Serverless.Local.Publishing;

namespace Serverless.Cli.Telemetry;

/// <summary>
/// The publisher's send spans (<see cref="PublishTracing"/>) exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set, as the AppHost sets it for the demo feed (the exporter reads the endpoint, protocol, headers and service name
/// from the standard <c>OTEL_*</c> variables). Without it nothing listens, and sends carry no trace context.
/// </summary>
internal static class PublisherTelemetry
{
    public static TracerProvider? Start() =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            ? null
            : Sdk.CreateTracerProviderBuilder().AddSource(PublishTracing.SourceName).AddOtlpExporter().Build();
}
