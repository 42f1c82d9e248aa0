using Azure.Storage.Blobs;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.Invocation;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// Runs every <c>timerTrigger</c> of the app as the Functions host's Timer extension does
/// (docs/functions-host.md#timer-triggers): one host of those sharing the storage account and host id holds each
/// timer's listener lock and runs it; when it starts it runs a timer at once if a due time passed while no host ran it
/// (<c>IsPastDue</c>) or if the timer says <c>runOnStartup</c>; then it runs it at each occurrence of its schedule, under
/// the function's retry policy, and records the schedule status in storage after each run (<c>useMonitor</c>).
/// </summary>
internal sealed partial class TimerTriggerListener(
    WorkerSupervisor supervisor, FunctionInvoker invoker, ScriptRoot root, BindingExpressions expressions, IHostApplicationLifetime lifetime,
    TimeProvider time, ILogger<TimerTriggerListener> logger) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private readonly string instanceId = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timers = await TriggeredFunctions.WaitForAsync(supervisor, SupportedBindings.TimerTrigger, stoppingToken);
        if (timers.Count == 0)
        {
            return;
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var hostId = HostId.Of(expressions.Setting(HostId.Setting), root.Path);
        await Task.WhenAll(timers.Select(f => KeepRunningAsync(f, hostId, stopping.Token)));
    }

    // Storage that is not reachable, or a lock that is lost, starts the timer over: it waits for the lock again.
    private async Task KeepRunningAsync(FunctionDescription function, string hostId, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(function, hostId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogTimerFailed(function.Name, RestartDelay.TotalSeconds, $"{ex.GetType().Name}: {ex.Message}");
                await Task.Delay(RestartDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(FunctionDescription function, string hostId, CancellationToken stoppingToken)
    {
        var trigger = TimerTrigger.From(function, expressions, Now);
        var storage = HostStorage.ConnectionString(expressions, "its timers' locks and status");
        var container = new BlobServiceClient(storage).GetBlobContainerClient(HostBlobs.Container);
        var singleton = root.Host.Singleton;
        var listenerLock = new ListenerLock(container, HostBlobs.ListenerLock(hostId, function.Name), instanceId, singleton.ListenerLockPeriod);
        var waiting = false;
        while (!await listenerLock.TryAcquireAsync(stoppingToken))
        {
            if (!waiting)
            {
                LogWaitingForLock(function.Name, HostBlobs.ListenerLock(hostId, function.Name));
                waiting = true;
            }

            await Task.Delay(singleton.ListenerLockRecoveryPollingInterval, time, stoppingToken);
        }

        using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = KeepLockAsync(function, listenerLock, held);
        try
        {
            await RunScheduleAsync(function, trigger, new ScheduleStatusStore(container), HostBlobs.Status(hostId, function.Name), held.Token);
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // The lock was lost: another host may run the timer now; this one waits for the lock again.
        }
        finally
        {
            await held.CancelAsync();
            await renewing;
            await listenerLock.ReleaseAsync();
        }
    }

    private async Task KeepLockAsync(FunctionDescription function, ListenerLock listenerLock, CancellationTokenSource held)
    {
        try
        {
            while (true)
            {
                await Task.Delay(listenerLock.Period / 2, time, held.Token);
                if (!await listenerLock.TryRenewAsync(held.Token))
                {
                    LogLockLost(function.Name);
                    await held.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // Storage away: the lease lapses unless a later renewal gets through; stop, and wait for the lock again.
            LogLockLost(function.Name);
            LogTimerFailed(function.Name, 0, $"{ex.GetType().Name}: {ex.Message}");
            await held.CancelAsync();
        }
    }

    private async Task RunScheduleAsync(FunctionDescription function, TimerTrigger trigger, ScheduleStatusStore store, string statusBlob, CancellationToken cancellationToken)
    {
        var now = Now;
        var status = new ScheduleStatus(ScheduleStatus.Never, trigger.Schedule.Next(now), ScheduleStatus.Never);
        var pastDue = false;
        if (trigger.UseMonitor)
        {
            var check = PastDueCheck.Of(await store.ReadAsync(statusBlob, cancellationToken), now, trigger.Schedule);
            (status, pastDue) = (check.Status, check.IsPastDue);
            if (check.StatusChanged)
            {
                await TryWriteAsync(function, store, statusBlob, status, cancellationToken);
            }
        }

        LogTimerStarted(function.Name, trigger.Schedule.Expression, status.Next, trigger.UseMonitor);
        if (pastDue)
        {
            LogPastDue(function.Name, status.Next);
            status = await InvokeAsync(function, trigger, store, statusBlob, status, isPastDue: true, regular: false, cancellationToken);
        }
        else if (trigger.RunOnStartup)
        {
            status = await InvokeAsync(function, trigger, store, statusBlob, status, isPastDue: false, regular: false, cancellationToken);
        }

        while (true)
        {
            var wait = status.Next - Now;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            status = await InvokeAsync(function, trigger, store, statusBlob, status, isPastDue: false, regular: true, cancellationToken);
        }
    }

    private async Task<ScheduleStatus> InvokeAsync(FunctionDescription function, TimerTrigger trigger, ScheduleStatusStore store, string statusBlob,
        ScheduleStatus status, bool isPastDue, bool regular, CancellationToken cancellationToken)
    {
        var invokedAt = Now;
        var outcome = await invoker.InvokeWithRetriesAsync(function.Name,
            (_, request) => TimerInvocation.Fill(request, trigger.BindingName, trigger.UseMonitor ? status : null, isPastDue, invokedAt), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (!outcome.Succeeded)
        {
            // A failed run is not run again: the next one is the schedule's next occurrence.
            LogRunFailed(function.Name, outcome.Failure ?? "failed");
        }

        var next = PastDueCheck.AfterRun(status, invokedAt, regular, trigger.Schedule);
        if (trigger.UseMonitor)
        {
            await TryWriteAsync(function, store, statusBlob, next, cancellationToken);
        }

        return next;
    }

    private async Task TryWriteAsync(FunctionDescription function, ScheduleStatusStore store, string statusBlob, ScheduleStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await store.WriteAsync(statusBlob, status, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStatusNotWritten(function.Name, statusBlob, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private DateTime Now => time.GetLocalNow().DateTime;

    [LoggerMessage(EventId = 30, EventName = "TimerStarted", Level = LogLevel.Information,
        Message = "{Function} runs on '{Schedule}'; next at {Next:o} (schedule status kept: {UseMonitor})")]
    private partial void LogTimerStarted(string function, string schedule, DateTime next, bool useMonitor);

    [LoggerMessage(EventId = 31, EventName = "TimerPastDue", Level = LogLevel.Information,
        Message = "{Function} is past due: it was due at {Due:o} and no host ran it; running it now")]
    private partial void LogPastDue(string function, DateTime due);

    [LoggerMessage(EventId = 32, EventName = "TimerWaitingForLock", Level = LogLevel.Information,
        Message = "{Function} runs on another host that holds {Lock}; this host takes over if that one stops")]
    private partial void LogWaitingForLock(string function, string @lock);

    [LoggerMessage(EventId = 33, EventName = "TimerLockLost", Level = LogLevel.Warning, Message = "{Function}'s listener lock was lost; waiting for it again")]
    private partial void LogLockLost(string function);

    [LoggerMessage(EventId = 34, EventName = "TimerFailed", Level = LogLevel.Error,
        Message = "{Function}'s timer stopped (storage unreachable, or a setting or schedule wrong); trying again in {Seconds} s: {Reason}")]
    private partial void LogTimerFailed(string function, double seconds, string reason);

    [LoggerMessage(EventId = 35, EventName = "TimerRunFailed", Level = LogLevel.Warning, Message = "{Function}'s run failed; the next run is its next occurrence: {Failure}")]
    private partial void LogRunFailed(string function, string failure);

    [LoggerMessage(EventId = 36, EventName = "TimerStatusNotWritten", Level = LogLevel.Warning, Message = "{Function}'s schedule status ({Blob}) was not written: {Reason}")]
    private partial void LogStatusNotWritten(string function, string blob, string reason);
}
