using System.Diagnostics;
using Serverless.FunctionsHost.App;

namespace Serverless.FunctionsHost.Worker;

/// <summary>
/// The language worker as the Functions host starts it: <c>{executable} {arguments} {worker path}</c> in the script root,
/// with the host's gRPC address, a worker id and a request id as command-line switches, and the app settings plus
/// <c>FUNCTIONS_APPLICATION_DIRECTORY</c> in its environment (docs/functions-host.md).
/// </summary>
internal sealed partial class WorkerProcess : IAsyncDisposable
{
    // The host passes int.MaxValue; the worker would otherwise use a limit of 0 bytes.
    private const string MaxMessageLength = "2147483647";
    private const int KeptLines = 40;

    private readonly Process process;
    private readonly Queue<string> lastLines = new();
    private readonly ILogger logger;
    private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, ILogger logger)
    {
        this.process = process;
        this.logger = logger;
    }

    public int Id => process.Id;

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited => exited.Task;

    /// <summary>The last lines the worker wrote to its console, for a message when it dies before it connects.</summary>
    public string LastOutput
    {
        get
        {
            lock (lastLines)
            {
                return string.Join(Environment.NewLine, lastLines);
            }
        }
    }

    public static WorkerProcess Start(ScriptRoot root, IReadOnlyDictionary<string, string?> settings, Uri hostUri, string workerId, ILogger logger)
    {
        var worker = root.Worker;
        var executable = Path.IsPathRooted(worker.ExecutablePath) || !worker.ExecutablePath.Contains(Path.DirectorySeparatorChar)
            ? worker.ExecutablePath
            : Path.Combine(root.Path, worker.ExecutablePath);
        var requestId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = root.Path,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in worker.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(Path.Combine(root.Path, worker.WorkerPath));
        foreach (var argument in new[]
        {
            "--host", hostUri.Host, "--port", hostUri.Port.ToString(), "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", MaxMessageLength, "--functions-uri", hostUri.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", MaxMessageLength,
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        if (!start.Environment.TryGetValue("FUNCTIONS_WORKER_RUNTIME", out var runtime) || string.IsNullOrEmpty(runtime))
        {
            start.Environment["FUNCTIONS_WORKER_RUNTIME"] = worker.Language;
        }

        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = root.Path;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = root.Path;
        start.Environment["AzureWebJobsScriptRoot"] = root.Path;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new WorkerProcess(process, logger);
        process.OutputDataReceived += (_, e) => running.Write(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => running.Write(e.Data, error: true);
        // Exited can come before the last lines: WaitForExitAsync also waits for the end of the redirected output, so
        // that LastOutput holds why a worker that stopped at start stopped.
        process.Exited += async (_, _) =>
        {
            try
            {
                await process.WaitForExitAsync();
                running.exited.TrySetResult(process.ExitCode);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                running.exited.TrySetResult(-1); // disposed meanwhile: nobody waits for its output any more
            }
        };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new WorkerStartException($"Could not start the worker ({executable}): {ex.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    private void Write(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        lock (lastLines)
        {
            lastLines.Enqueue(line);
            if (lastLines.Count > KeptLines)
            {
                lastLines.Dequeue();
            }
        }

        // The worker sends its logs over gRPC too: its console is shown at debug level, except what it writes to stderr.
        if (error)
        {
            LogWorkerError(line);
        }
        else
        {
            LogWorkerOutput(line);
        }
    }

    /// <summary>Waits up to <paramref name="grace"/> for the process to end by itself, then kills it.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            await Exited.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            Kill();
            await Exited;
        }
    }

    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!exited.Task.IsCompleted)
        {
            Kill();
            await exited.Task;
        }

        process.Dispose();
    }

    [LoggerMessage(EventId = 30, EventName = "WorkerConsole", Level = LogLevel.Debug, Message = "{Line}")]
    private partial void LogWorkerOutput(string line);

    [LoggerMessage(EventId = 31, EventName = "WorkerConsoleError", Level = LogLevel.Error, Message = "{Line}")]
    private partial void LogWorkerError(string line);
}

internal sealed class WorkerStartException(string message) : Exception(message);
