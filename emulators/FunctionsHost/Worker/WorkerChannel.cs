using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Worker;

/// <summary>
/// One worker's <c>EventStream</c>: messages to the worker go through one writer loop (a gRPC stream takes one write at a
/// time); answers are matched to requests by <c>request_id</c>, invocation responses by <c>invocation_id</c>, since the
/// worker handles every message on its own task and answers in any order. The worker's logs are written under the
/// name of the function whose invocation they belong to.
/// </summary>
public sealed partial class WorkerChannel(string workerId, ILoggerFactory loggers)
{
    private readonly Channel<StreamingMessage> outgoing = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> requests = new();
    private readonly ConcurrentDictionary<string, PendingInvocation> invocations = new();
    private readonly ConcurrentDictionary<string, ILogger> functionLoggers = new();
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger logger = loggers.CreateLogger("Serverless.FunctionsHost.Worker");

    public string WorkerId { get; } = workerId;

    /// <summary>Completes when the stream has ended.</summary>
    public Task Closed => closed.Task;

    /// <summary>Serves the stream until the worker or the host ends it.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> reader, IServerStreamWriter<StreamingMessage> writer, CancellationToken cancellationToken)
    {
        var writing = WriteAllAsync(writer, cancellationToken);
        try
        {
            while (await reader.MoveNext(cancellationToken))
            {
                Dispatch(reader.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The worker went away or the host is stopping: both end the stream.
        }
        finally
        {
            Close();
            try
            {
                await writing;
            }
            catch (Exception ex) when (ex is IOException or RpcException or OperationCanceledException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>Sends a request and waits for the answer with the same request id.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        requests[request.RequestId] = answer;
        try
        {
            Send(request);
            return await answer.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker did not answer {request.ContentCase} within {timeout.TotalSeconds:0} s.");
        }
        finally
        {
            requests.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>Sends an invocation and waits for its response; cancelling sends <c>InvocationCancel</c> and stops waiting.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, string functionName, CancellationToken cancellationToken)
    {
        var pending = new PendingInvocation(functionName);
        invocations[request.InvocationId] = pending;
        try
        {
            Send(new StreamingMessage { InvocationRequest = request });
            await using var cancel = cancellationToken.Register(() => TrySend(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = request.InvocationId } }));
            return await pending.Response.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            invocations.TryRemove(request.InvocationId, out _);
        }
    }

    /// <summary>Waits until no invocation is waiting for its response, or the timeout has passed.</summary>
    public async Task WaitForNoInvocationsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!invocations.IsEmpty && !closed.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Asks the worker to shut down; it does not answer (it advertises HandlesWorkerTerminateMessage).</summary>
    public void Terminate(TimeSpan gracePeriod) =>
        TrySend(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });

    private void Send(StreamingMessage message)
    {
        if (!outgoing.Writer.TryWrite(message))
        {
            throw new WorkerUnavailableException($"The worker {WorkerId} is no longer connected.");
        }
    }

    private void TrySend(StreamingMessage message) => outgoing.Writer.TryWrite(message);

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> writer, CancellationToken cancellationToken)
    {
        await foreach (var message in outgoing.Reader.ReadAllAsync(cancellationToken))
        {
            await writer.WriteAsync(message, cancellationToken);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                Log(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (invocations.TryGetValue(message.InvocationResponse.InvocationId, out var pending))
                {
                    pending.Response.TrySetResult(message.InvocationResponse);
                }

                break;
            default:
                if (requests.TryGetValue(message.RequestId, out var answer))
                {
                    answer.TrySetResult(message);
                }
                else
                {
                    LogUnexpected(message.ContentCase.ToString());
                }

                break;
        }
    }

    private void Close()
    {
        outgoing.Writer.TryComplete();
        var gone = new WorkerUnavailableException($"The worker {WorkerId} disconnected.");
        foreach (var request in requests.Values)
        {
            request.TrySetException(gone);
        }

        foreach (var invocation in invocations.Values)
        {
            invocation.Response.TrySetException(gone);
        }

        closed.TrySetResult();
    }

    private void Log(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None)
        {
            return;
        }

        // As the Azure host does: an invocation's logs go to Function.{name}, the rest to the worker's category.
        var target = invocations.TryGetValue(log.InvocationId, out var invocation)
            ? functionLoggers.GetOrAdd(invocation.FunctionName, name => loggers.CreateLogger($"Function.{name}"))
            : logger;
        if (!target.IsEnabled(level))
        {
            return;
        }

        var exception = log.Exception is { } e ? $"{Environment.NewLine}{e.Type}: {e.Message}{Environment.NewLine}{e.StackTrace}" : "";
        target.Log(level, new EventId(0, log.EventId), "[{Category}] {Message}{Exception}", log.Category, log.Message, exception);
    }

    [LoggerMessage(EventId = 40, EventName = "UnexpectedWorkerMessage", Level = LogLevel.Debug, Message = "The worker sent {Content}, which nothing waits for")]
    private partial void LogUnexpected(string content);

    private sealed record PendingInvocation(string FunctionName)
    {
        public TaskCompletionSource<InvocationResponse> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The worker is not connected (it died, or is being restarted); an invocation that meets this failed.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>An invocation ran past host.json <c>functionTimeout</c>; the message is the Functions host's.</summary>
internal sealed class FunctionTimeoutException(string message) : Exception(message);
