using System.Diagnostics;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Rpc;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost.Invocation;

/// <summary>
/// What came of a triggered function: success, failure after its last retry, or stopped by the host's shutdown before
/// it succeeded (then its trigger must not record it as done: it is delivered again when the host runs again).
/// </summary>
internal sealed record InvocationOutcome(bool Succeeded, int Retries, string? Failure, bool Stopped = false);

/// <summary>
/// Sends invocations to the worker. Non-HTTP triggers run under the function's retry policy, as the WebJobs SDK does:
/// each retry is a new invocation (new id) whose <c>retry_context</c> carries the count and the previous failure, and a
/// worker that dies mid-invocation counts as a failed attempt; the next one goes to the restarted worker.
/// </summary>
internal sealed partial class FunctionInvoker(WorkerSupervisor supervisor, ILogger<FunctionInvoker> logger)
{
    private readonly Random random = new();

    public static InvocationRequest NewRequest(FunctionDescription function) => new()
    {
        InvocationId = Guid.NewGuid().ToString(),
        FunctionId = function.FunctionId,
        // The worker reads trace_context without a null check.
        TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" },
    };

    /// <summary>
    /// Invokes <paramref name="functionName"/> until it succeeds or its retry policy gives up. <paramref name="stopping"/>
    /// ends the retries, not an invocation under way: that one finishes (or its worker goes away).
    /// </summary>
    public async Task<InvocationOutcome> InvokeWithRetriesAsync(string functionName, Action<FunctionDescription, InvocationRequest> fill, CancellationToken stopping)
    {
        RpcException? previous = null;
        for (var retry = 0; ; retry++)
        {
            ReadyWorker worker;
            try
            {
                worker = await supervisor.WaitForWorkerAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return new InvocationOutcome(false, retry, previous?.Message, Stopped: true);
            }

            var function = worker.Function(functionName) ?? throw new InvalidOperationException($"The worker no longer has the function {functionName}.");
            var request = NewRequest(function);
            if (!function.Retry.IsNone)
            {
                request.RetryContext = new RetryContext { RetryCount = retry, MaxRetryCount = function.Retry.MaxRetryCount, Exception = previous };
            }

            fill(function, request);
            string failure;
            try
            {
                var response = await supervisor.InvokeAsync(worker, request, function.Name, CancellationToken.None);
                if (response.Result is { Status: StatusResult.Types.Status.Success })
                {
                    return new InvocationOutcome(true, retry, null);
                }

                previous = response.Result?.Exception ?? new RpcException { Message = response.Result?.Result ?? "failed" };
                failure = $"{previous.Type}: {previous.Message}";
            }
            catch (Exception ex) when (ex is WorkerUnavailableException or FunctionTimeoutException)
            {
                previous = new RpcException { Message = ex.Message, Type = ex is FunctionTimeoutException ? "Microsoft.Azure.WebJobs.Host.FunctionTimeoutException" : nameof(WorkerUnavailableException) };
                failure = ex.Message;
            }

            if (stopping.IsCancellationRequested)
            {
                return new InvocationOutcome(false, retry, failure, Stopped: true);
            }

            if (!function.Retry.ShouldRetry(retry))
            {
                LogGivenUp(functionName, request.InvocationId, retry, failure);
                return new InvocationOutcome(false, retry, failure);
            }

            var delay = function.Retry.DelayBefore(retry + 1, random);
            LogRetrying(functionName, request.InvocationId, retry + 1, delay.TotalSeconds, failure);
            try
            {
                await Task.Delay(delay, stopping);
            }
            catch (OperationCanceledException)
            {
                return new InvocationOutcome(false, retry, failure, Stopped: true);
            }
        }
    }

    [LoggerMessage(EventId = 20, EventName = "InvocationRetried", Level = LogLevel.Warning,
        Message = "{Function} invocation {InvocationId} failed; retry {Retry} in {Seconds:0.###} s: {Failure}")]
    private partial void LogRetrying(string function, string invocationId, int retry, double seconds, string failure);

    [LoggerMessage(EventId = 21, EventName = "RetriesExhausted", Level = LogLevel.Error,
        Message = "{Function} invocation {InvocationId} failed after {Retries} retries: {Failure}")]
    private partial void LogGivenUp(string function, string invocationId, int retries, string failure);
}
