using System.Diagnostics;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Worker;

/// <summary>
/// Keeps one worker running, as the Functions host does: starts the process, waits for its <c>StartStream</c>, drives
/// WorkerInit → FunctionsMetadata → one FunctionLoad per function, then serves invocations until the worker dies, and
/// starts it again (saying so). On shutdown it sends WorkerTerminate and kills the process after the grace period.
/// </summary>
public sealed partial class WorkerSupervisor(
    ScriptRoot root, FunctionsHostOptions options, ILoggerFactory loggers, IHostApplicationLifetime lifetime, ILogger<WorkerSupervisor> logger) : BackgroundService
{
    public const string HostVersion = "4.1037.0";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan TerminateGracePeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly Dictionary<string, TaskCompletionSource<WorkerChannel>> expected = [];
    private TaskCompletionSource<ReadyWorker> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string?> firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerProcess? current;
    private string? currentWorkerId;

    /// <summary>Where the worker connects; set by the host when its gRPC endpoint is bound.</summary>
    public Uri GrpcUri { get; set; } = null!;

    /// <summary>Completes when the first worker is ready (null) or has failed to start (why).</summary>
    public Task<string?> FirstAttempt => firstAttempt.Task;

    /// <summary>Why the last worker did not come up, for a caller waiting on the first one.</summary>
    public string? LastStartFailure { get; private set; }

    /// <summary>The process id of the worker now running, if any.</summary>
    public int? WorkerProcessId => current?.Id;

    /// <summary>The worker that invocations go to now; waits while it is starting or restarting.</summary>
    public Task<ReadyWorker> WaitForWorkerAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return ready.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Sends an invocation under host.json <c>functionTimeout</c>. Past it, as the Functions host does, the invocation is
    /// cancelled and fails with a <see cref="FunctionTimeoutException"/>, and the worker is restarted, since a hung
    /// function keeps its thread (docs/functions-host.md#function-timeout).
    /// </summary>
    public async Task<InvocationResponse> InvokeAsync(ReadyWorker worker, InvocationRequest request, string functionName, CancellationToken cancellationToken)
    {
        if (root.Host.FunctionTimeout is not { } timeout)
        {
            return await worker.Channel.InvokeAsync(request, functionName, cancellationToken);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await worker.Channel.InvokeAsync(request, functionName, limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFunctionTimeout(functionName, request.InvocationId, timeout);
            if (current is { } process && worker.Channel.WorkerId == currentWorkerId)
            {
                process.Kill();
            }

            throw new FunctionTimeoutException($"Timeout value of {timeout} exceeded by function '{functionName}' (Id: '{request.InvocationId}'). Initiating cancellation.");
        }
    }

    /// <summary>Serves the stream of the worker that connected with <paramref name="workerId"/>.</summary>
    public async Task AttachAsync(string workerId, IAsyncStreamReader<StreamingMessage> reader, IServerStreamWriter<StreamingMessage> writer, CancellationToken cancellationToken)
    {
        TaskCompletionSource<WorkerChannel>? waiting;
        lock (gate)
        {
            expected.Remove(workerId, out waiting);
        }

        if (waiting is null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"No worker with id '{workerId}' was started by this host."));
        }

        var channel = new WorkerChannel(workerId, loggers);
        waiting.TrySetResult(channel);
        await channel.RunAsync(reader, writer, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The worker connects to the gRPC endpoint, so the server must be listening first.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        // The host stops serving the worker's stream as it shuts down: treat the start of the shutdown as the stop.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        stoppingToken = stopping.Token;
        var orphans = new OrphanedWorkers(root.Path, options.Port, logger);
        orphans.StopLeftOver();
        var restartDelay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await RunOneWorkerAsync(orphans, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever happened to this worker, the host goes on and starts another, as the Azure host does.
                LastStartFailure = ex is WorkerStartException or TimeoutException or WorkerUnavailableException ? ex.Message : ex.ToString();
                LogWorkerFailed(LastStartFailure);
                firstAttempt.TrySetResult(LastStartFailure);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // A worker that ran for a while is restarted at once; one that keeps failing, less and less often.
            restartDelay = clock.Elapsed > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : restartDelay;
            LogRestarting(restartDelay.TotalSeconds);
            await Task.Delay(restartDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            restartDelay = TimeSpan.FromTicks(Math.Min(restartDelay.Ticks * 2, MaxRestartDelay.Ticks));
        }
    }

    private async Task RunOneWorkerAsync(OrphanedWorkers orphans, CancellationToken stoppingToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var connected = new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            expected[workerId] = connected;
        }

        var workerLogger = loggers.CreateLogger("Serverless.FunctionsHost.Worker");
        await using var process = WorkerProcess.Start(root, options.Settings, GrpcUri, workerId, workerLogger);
        current = process;
        currentWorkerId = workerId;
        orphans.Record(process.Id, workerId);
        LogWorkerStarted(process.Id, root.Path);
        try
        {
            var channel = await WaitForConnectionAsync(process, connected.Task, stoppingToken);
            var worker = await HandshakeAsync(channel, stoppingToken);
            lock (gate)
            {
                ready.TrySetResult(worker);
            }

            LastStartFailure = null;
            firstAttempt.TrySetResult(null);
            await Task.WhenAny(process.Exited, channel.Closed, Task.Delay(Timeout.Infinite, stoppingToken));
            if (stoppingToken.IsCancellationRequested)
            {
                // Triggers stop taking new batches when the host stops; the invocations under way finish first.
                await channel.WaitForNoInvocationsAsync(DrainTimeout);
                channel.Terminate(TerminateGracePeriod);
                await process.StopAsync(TerminateGracePeriod);
                LogWorkerStopped(process.Id);
                return;
            }

            var code = await process.Exited.WaitAsync(TerminateGracePeriod).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.ToString() : "no exit yet", TaskScheduler.Default);
            throw new WorkerUnavailableException($"The worker (process {process.Id}) stopped (exit code {code}).");
        }
        finally
        {
            orphans.Forget();
            current = null;
            lock (gate)
            {
                expected.Remove(workerId);
                if (ready.Task.IsCompleted)
                {
                    ready = new TaskCompletionSource<ReadyWorker>(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            process.Kill();
        }
    }

    private async Task<WorkerChannel> WaitForConnectionAsync(WorkerProcess process, Task<WorkerChannel> connected, CancellationToken stoppingToken)
    {
        var timeout = Task.Delay(options.WorkerStartTimeout, stoppingToken);
        var first = await Task.WhenAny(connected, process.Exited, timeout);
        stoppingToken.ThrowIfCancellationRequested();
        if (first == connected)
        {
            return await connected;
        }

        if (first == process.Exited)
        {
            throw new WorkerStartException($"The worker exited with code {await process.Exited} before it connected. Its last output:{Environment.NewLine}{process.LastOutput}");
        }

        throw new TimeoutException($"The worker (process {process.Id}) did not connect to {GrpcUri} within {options.WorkerStartTimeout.TotalSeconds:0} s.");
    }

    private async Task<ReadyWorker> HandshakeAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        var init = await channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = root.Path, FunctionAppDirectory = root.Path },
        }, RequestTimeout, cancellationToken);
        var initResponse = init.WorkerInitResponse ?? throw new WorkerStartException($"The worker answered WorkerInitRequest with {init.ContentCase}.");
        EnsureSuccess(initResponse.Result, "WorkerInit");
        Uri? httpUri = initResponse.Capabilities.TryGetValue("HttpUri", out var uri) ? new Uri(uri) : null;

        var metadata = await channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = root.Path },
        }, RequestTimeout, cancellationToken);
        var metadataResponse = metadata.FunctionMetadataResponse ?? throw new WorkerStartException($"The worker answered FunctionsMetadataRequest with {metadata.ContentCase}.");
        EnsureSuccess(metadataResponse.Result, "FunctionsMetadata");
        if (metadataResponse.UseDefaultMetadataIndexing)
        {
            throw new WorkerStartException("The worker asks the host to index functions.metadata itself; this host takes only worker-indexed metadata.");
        }

        var candidates = metadataResponse.FunctionMetadataResults.Select(FunctionDescription.From).ToList();
        var loads = candidates.Where(IsLoadable).Select(function => LoadAsync(channel, function, cancellationToken));
        var loaded = (await Task.WhenAll(loads)).OfType<FunctionDescription>().ToList();
        LogWorkerReady(initResponse.WorkerVersion, loaded.Count, string.Join(", ", loaded.Select(Describe)));
        return new ReadyWorker(channel, loaded, httpUri);
    }

    private bool IsLoadable(FunctionDescription function)
    {
        if (FunctionLoadCheck.WhyNotLoadable(function) is { } reason)
        {
            LogNotLoaded(function.Name, reason);
            return false;
        }

        return true;
    }

    private async Task<FunctionDescription?> LoadAsync(WorkerChannel channel, FunctionDescription function, CancellationToken cancellationToken)
    {
        var answer = await channel.RequestAsync(new StreamingMessage
        {
            FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function.Metadata },
        }, RequestTimeout, cancellationToken);
        if (answer.FunctionLoadResponse?.Result is { Status: StatusResult.Types.Status.Success })
        {
            return function;
        }

        var result = answer.FunctionLoadResponse?.Result;
        LogNotLoaded(function.Name, $"the worker could not load it: {result?.Exception?.Message ?? result?.Result ?? answer.ContentCase.ToString()}");
        return null;
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        // Status 0 is Failure in this protocol: a missing result is a failure too.
        if (result is not { Status: StatusResult.Types.Status.Success })
        {
            throw new WorkerStartException($"The worker's {step} failed: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
        }
    }

    private static string Describe(FunctionDescription function) =>
        function.Trigger is { } trigger && trigger.Type.Equals(SupportedBindings.HttpTrigger, StringComparison.OrdinalIgnoreCase)
            ? $"{function.Name} ({string.Join('|', trigger.List("methods")).ToUpperInvariant()} {trigger.Property("route") ?? function.Name})"
            : $"{function.Name} ({function.Trigger?.Type})";

    [LoggerMessage(EventId = 1, EventName = "WorkerStarted", Level = LogLevel.Information, Message = "Started the worker (process {ProcessId}) for {ScriptRoot}")]
    private partial void LogWorkerStarted(int processId, string scriptRoot);

    [LoggerMessage(EventId = 2, EventName = "WorkerReady", Level = LogLevel.Information, Message = "Worker {WorkerVersion} ready with {Count} functions: {Functions}")]
    private partial void LogWorkerReady(string workerVersion, int count, string functions);

    [LoggerMessage(EventId = 3, EventName = "FunctionNotLoaded", Level = LogLevel.Error, Message = "Function {Function} is not loaded: {Reason}")]
    private partial void LogNotLoaded(string function, string reason);

    [LoggerMessage(EventId = 4, EventName = "WorkerFailed", Level = LogLevel.Error, Message = "{Reason}")]
    private partial void LogWorkerFailed(string reason);

    [LoggerMessage(EventId = 8, EventName = "FunctionTimeout", Level = LogLevel.Error,
        Message = "{Function} invocation {InvocationId} ran past functionTimeout {Timeout}: cancelled, and the worker is restarted")]
    private partial void LogFunctionTimeout(string function, string invocationId, TimeSpan timeout);

    [LoggerMessage(EventId = 5, EventName = "WorkerRestarting", Level = LogLevel.Warning, Message = "Starting the worker again in {Seconds} s")]
    private partial void LogRestarting(double seconds);

    [LoggerMessage(EventId = 6, EventName = "WorkerStopped", Level = LogLevel.Information, Message = "Stopped the worker (process {ProcessId})")]
    private partial void LogWorkerStopped(int processId);
}
