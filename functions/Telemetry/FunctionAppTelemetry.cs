using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serverless.Pipeline.Ingest;

namespace Serverless.Functions.Telemetry;

/// <summary>
/// OpenTelemetry for the worker, on when there is somewhere to send it: Application Insights when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (the infra sets it), an OTLP endpoint when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is (a local collector, the bench), or both. It exports Ingest's spans and meters
/// and the worker's own invocation spans (docs/telemetry.md).
/// </summary>
internal static class FunctionAppTelemetry
{
    public const string ApplicationInsightsSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddFunctionAppTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var applicationInsights = !string.IsNullOrWhiteSpace(configuration[ApplicationInsightsSetting]);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        if (!applicationInsights && !otlp)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(IngestTracing.SourceName))
            .WithMetrics(metrics => metrics.AddMeter(IngestMetrics.MeterName));
        if (applicationInsights)
        {
            telemetry.UseAzureMonitorExporter();
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }
}
