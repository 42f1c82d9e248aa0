using System.Net;
using System.Text.Json;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Rpc;
using Serverless.FunctionsHost.Worker;
using Yarp.ReverseProxy.Forwarder;

namespace Serverless.FunctionsHost.Http;

/// <summary>
/// HTTP triggers with the worker's ASP.NET Core integration, as the Azure host runs them: the request is forwarded
/// as it came to the worker's <c>HttpUri</c> with <c>x-ms-invocation-id</c>, and the InvocationRequest for the same id
/// goes over gRPC alongside it, carrying the other input bindings and the route values (docs/functions-host.md).
/// </summary>
internal sealed partial class HttpTriggerEndpoint(
    WorkerSupervisor supervisor,
    ScriptRoot root,
    IHttpForwarder forwarder,
    SignalRConnectionInfoBinding signalR,
    IInlineConstraintResolver constraints,
    IHostApplicationLifetime lifetime,
    ILogger<HttpTriggerEndpoint> logger)
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    public const string ForwardedForHeader = "X-Forwarded-For";
    private static readonly TimeSpan WorkerWait = TimeSpan.FromSeconds(60);

    private readonly HttpMessageInvoker client = new(new ConnectRetryHandler(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    }));

    // The Azure host's forwarding timeout for an idle request.
    private readonly ForwarderRequestConfig forwarding = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    public async Task HandleAsync(HttpContext context)
    {
        // A stopping instance takes no new requests, as a front end drains an instance before it goes: 503, try again.
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "1";
            await Results.Problem(title: "This instance is stopping", detail: "Send the request again; another instance takes it.",
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        ReadyWorker worker;
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            wait.CancelAfter(WorkerWait);
            worker = await supervisor.WaitForWorkerAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await Results.Problem(title: "The function app is not running", detail: supervisor.LastStartFailure ?? "The worker is starting.",
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        if (HttpRoutes.For(worker, root.Host.RoutePrefix, constraints).Match(context.Request.Method, context.Request.Path) is not { } match)
        {
            await Results.Problem(title: "Not found", detail: $"No function answers {context.Request.Method} {context.Request.Path}.",
                statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
            return;
        }

        if (worker.HttpUri is null)
        {
            await Results.Problem(title: "HTTP functions need ASP.NET Core integration", detail: "The worker did not advertise an HttpUri; this host forwards HTTP requests only.",
                statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context);
            return;
        }

        var (function, trigger, routeValues) = match;
        context.Request.RouteValues = routeValues;
        InvocationRequest request;
        try
        {
            request = BuildRequest(function, trigger, context, routeValues);
        }
        catch (BindingException ex)
        {
            LogBindingFailed(function.Name, ex.Message);
            await Results.Problem(title: $"Function {function.Name} could not be bound", detail: ex.Message, statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context);
            return;
        }

        context.Request.Headers[InvocationIdHeader] = request.InvocationId;
        // As App Service's front ends do, the caller's address goes last in X-Forwarded-For, after whatever the caller
        // sent: only the last entry is the platform's word (docs/functions-host.md#http-triggers).
        context.Request.Headers.Append(ForwardedForHeader, context.Connection.RemoteIpAddress?.ToString() ?? "");
        // As the Azure host does: start forwarding, then send the invocation; the worker pairs them by id.
        var forwarded = forwarder.SendAsync(context, worker.HttpUri.AbsoluteUri, client, forwarding).AsTask();
        var invoked = supervisor.InvokeAsync(worker, request, function.Name, context.RequestAborted);

        var error = await forwarded;
        InvocationResponse? response = null;
        try
        {
            response = await invoked;
        }
        catch (Exception ex) when (ex is WorkerUnavailableException or FunctionTimeoutException or OperationCanceledException)
        {
            LogInvocationLost(function.Name, request.InvocationId, ex.Message);
        }

        if (error != ForwarderError.None)
        {
            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (ClientFault(error, exception) is { } fault)
            {
                LogCallerFailed(function.Name, request.InvocationId, fault.Status, exception?.Message);
                // The caller broke off or sent its request too slowly: the function failed for want of it, not by fault of its own.
                if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                {
                    await Results.Problem(title: fault.Title, detail: exception?.Message, statusCode: fault.Status).ExecuteAsync(context);
                }

                return;
            }

            LogForwardingFailed(function.Name, request.InvocationId, error.ToString(), exception?.Message);
        }

        if (response?.Result is { Status: not StatusResult.Types.Status.Success } failed)
        {
            LogFunctionFailed(function.Name, request.InvocationId, failed.Exception?.Message ?? failed.Result);
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    /// <summary>The answer to a request whose forwarding failed on the caller's side: 408 for a body too slow, else 400.</summary>
    private static (int Status, string Title)? ClientFault(ForwarderError error, Exception? exception) =>
        error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient
            ? FindBadRequest(exception)?.StatusCode switch
            {
                StatusCodes.Status408RequestTimeout => (StatusCodes.Status408RequestTimeout, "Request body too slow"),
                StatusCodes.Status413PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, "Request too large"),
                _ => (StatusCodes.Status400BadRequest, "The request could not be read"),
            }
            : null;

    private static BadHttpRequestException? FindBadRequest(Exception? exception) => exception switch
    {
        null => null,
        BadHttpRequestException bad => bad,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindBadRequest).FirstOrDefault(e => e is not null),
        _ => FindBadRequest(exception.InnerException),
    };

    private InvocationRequest BuildRequest(FunctionDescription function, BindingDescription trigger, HttpContext context, RouteValueDictionary routeValues)
    {
        var request = FunctionInvoker.NewRequest(function);
        // The trigger's value is an empty RpcHttp: the worker reads the forwarded request itself.
        request.InputData.Add(new ParameterBinding { Name = trigger.Name, Data = new TypedData { Http = new RpcHttp() } });
        foreach (var input in function.Inputs)
        {
            if (input.Type.Equals(SupportedBindings.SignalRConnectionInfo, StringComparison.OrdinalIgnoreCase))
            {
                request.InputData.Add(new ParameterBinding { Name = input.Name, Data = signalR.Bind(input, context) });
            }
        }

        // Route values bind to parameters of the same name; Query and Headers as the Azure host sends them.
        foreach (var (name, value) in routeValues)
        {
            request.TriggerMetadata[name] = new TypedData { String = value?.ToString() ?? "" };
        }

        request.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())) };
        request.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())) };
        return request;
    }

    [LoggerMessage(EventId = 50, EventName = "HttpBindingFailed", Level = LogLevel.Error, Message = "{Function}: {Reason}")]
    private partial void LogBindingFailed(string function, string reason);

    [LoggerMessage(EventId = 51, EventName = "HttpForwardingFailed", Level = LogLevel.Error, Message = "{Function} invocation {InvocationId}: forwarding to the worker failed ({Error}): {Detail}")]
    private partial void LogForwardingFailed(string function, string invocationId, string error, string? detail);

    [LoggerMessage(EventId = 54, EventName = "HttpCallerFailed", Level = LogLevel.Information, Message = "{Function} invocation {InvocationId}: the caller's request could not be read; answered {Status}: {Detail}")]
    private partial void LogCallerFailed(string function, string invocationId, int status, string? detail);

    [LoggerMessage(EventId = 52, EventName = "HttpFunctionFailed", Level = LogLevel.Error, Message = "{Function} invocation {InvocationId} failed: {Failure}")]
    private partial void LogFunctionFailed(string function, string invocationId, string failure);

    [LoggerMessage(EventId = 53, EventName = "HttpInvocationLost", Level = LogLevel.Warning, Message = "{Function} invocation {InvocationId} got no response: {Reason}")]
    private partial void LogInvocationLost(string function, string invocationId, string reason);
}
