using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Functions.Ingest;

/// <summary>
/// <c>POST /Ingest</c>: the Functions host's invocation of the Event Hubs trigger. Answers the custom-handler
/// response <c>{Outputs, Logs, ReturnValue}</c> (AZURE-CONTRACTS §1.4); a non-2xx answer fails the invocation,
/// and the function's retry policy delivers the batch again.
/// </summary>
public static partial class IngestEndpoint
{
    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Ingest", HandleAsync);
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, IngestPipeline pipeline, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(IngestEndpoint));
        InvocationRequest invocation;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            invocation = InvocationRequest.Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidInvocationException)
        {
            return Results.Problem(title: "Invalid invocation payload", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var result = await pipeline.RunAsync(invocation.Events, cancellationToken);
            return Results.Json(new InvocationResponse([result.ToString()]), InvocationResponse.Json);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogIngestFailed(logger, ex, invocation.Events.Count, invocation.PartitionId);
            return Results.Json(new InvocationResponse([$"Ingest failed, the batch will be delivered again: {ex.GetType().Name}: {ex.Message}"]),
                InvocationResponse.Json, statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    [LoggerMessage(EventId = 13, EventName = "IngestFailed", Level = LogLevel.Error,
        Message = "Could not store a batch of {Events} events from partition {PartitionId}; failing the invocation so that it is retried")]
    private static partial void LogIngestFailed(ILogger logger, Exception exception, int events, string? partitionId);
}

/// <summary>The custom handler's answer to an invocation.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs)
{
    public static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    [JsonPropertyName("Outputs")]
    public IReadOnlyDictionary<string, object> Outputs { get; } = new Dictionary<string, object>();

    [JsonPropertyName("ReturnValue")]
    public object? ReturnValue => null;
}
