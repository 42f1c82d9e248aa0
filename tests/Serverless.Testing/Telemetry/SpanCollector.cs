using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Testing.Telemetry.Otlp;
using Serverless.Tooling;

namespace Serverless.Testing.Telemetry;

/// <summary>One span as an OTLP exporter sent it.</summary>
public sealed record CollectedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Scope,
    string Name,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<CollectedLink> Links)
{
    public TimeSpan Duration => End - Start;

    public long? Long(string key) => Attributes.TryGetValue(key, out var value) && value is long number ? number : null;

    public string? Text(string key) => Attributes.TryGetValue(key, out var value) ? value as string : null;
}

public sealed record CollectedLink(string TraceId, string SpanId, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// An OTLP/HTTP receiver on a free loopback port: what the function app's worker exports when its
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> points here, kept in memory for tests and the bench to read. Traces are decoded; metrics and
/// logs are taken and dropped.
/// </summary>
public sealed class SpanCollector : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<CollectedSpan> spans = new();

    private SpanCollector(WebApplication app, int port)
    {
        this.app = app;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Endpoint { get; }

    public IReadOnlyCollection<CollectedSpan> Spans => spans;

    public static async Task<SpanCollector> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var collector = new SpanCollector(app, port);
        app.MapPost("/v1/traces", collector.ReceiveAsync);
        app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return collector;
    }

    public void Clear() => spans.Clear();

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var export = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
        foreach (var scopeSpans in export.ResourceSpans.SelectMany(r => r.ScopeSpans))
        {
            foreach (var span in scopeSpans.Spans)
            {
                spans.Enqueue(new CollectedSpan(
                    Hex(span.TraceId), Hex(span.SpanId), Hex(span.ParentSpanId), scopeSpans.Scope?.Name ?? "", span.Name,
                    Time(span.StartTimeUnixNano), Time(span.EndTimeUnixNano), Attributes(span.Attributes),
                    [.. span.Links.Select(l => new CollectedLink(Hex(l.TraceId), Hex(l.SpanId), Attributes(l.Attributes)))]));
            }
        }

        return Results.Bytes(new ExportTraceServiceResponse().ToByteArray(), "application/x-protobuf");
    }

    private static string Hex(ByteString id) => Convert.ToHexStringLower(id.Span);

    private static DateTimeOffset Time(ulong unixNanoseconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanoseconds / 100));

    private static Dictionary<string, object?> Attributes(IEnumerable<KeyValue> attributes) => attributes.ToDictionary(a => a.Key, a => a.Value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => a.Value.StringValue,
        AnyValue.ValueOneofCase.IntValue => a.Value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => a.Value.DoubleValue,
        AnyValue.ValueOneofCase.BoolValue => (object?)a.Value.BoolValue,
        _ => null,
    });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
