using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Serverless.Tooling;

/// <summary>What a finished child process said.</summary>
public sealed record ChildProcessResult(string Command, int ExitCode, string Output, string Errors)
{
    /// <summary>The result, or an exception that quotes the command and what it said when it failed.</summary>
    public ChildProcessResult EnsureSuccess() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"{Command} failed ({ExitCode}): {Errors.Trim()} {Output.Trim()}".Trim());
}

/// <summary>
/// A program the repository's tools start (npm, dotnet publish, Azurite, node scripts, the CLI in the tests), with its
/// output captured as it comes: standard output, standard error, and both in the order they arrived. Disposing it kills
/// what is still running, children included.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    // Linux signal numbers.
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly StringBuilder text = new();

    private ChildProcess(Process process, string command)
    {
        this.process = process;
        Command = command;
        process.OutputDataReceived += (_, line) => Append(line.Data, output);
        process.ErrorDataReceived += (_, line) => Append(line.Data, errors);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Command { get; }
    public int Id => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;
    public string Output => Read(output);
    public string Errors => Read(errors);

    /// <summary>Standard output and standard error together, line by line as they arrived.</summary>
    public string Text => Read(text);

    /// <param name="environment">Variables set for the child over the ones it inherits.</param>
    public static ChildProcess Start(string file, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        return new ChildProcess(process, $"{file} {string.Join(' ', start.ArgumentList)}");
    }

    /// <summary>Runs a program to its end; a <paramref name="timeout"/> that passes kills it and throws.</summary>
    public static async Task<ChildProcessResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        await using var child = Start(file, arguments, workingDirectory);
        var exitCode = await child.WaitForExitAsync(timeout, cancellationToken);
        return new ChildProcessResult(child.Command, exitCode, child.Output, child.Errors);
    }

    /// <summary>Waits for the end (and the last of its output); a <paramref name="timeout"/> that passes kills it and throws.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(entireProcessTree: true);
            throw new TimeoutException($"{Command} did not finish within {timeout!.Value.TotalSeconds:0} s: {Errors.Trim()}");
        }

        process.WaitForExit(); // the end of the redirected output
        return process.ExitCode;
    }

    /// <summary>Ctrl+C (SIGINT), as a user stops a program that runs until stopped.</summary>
    public void Interrupt() => Signal(process.Id, SigInt);

    /// <summary>
    /// SIGTERM, as a service manager stops a program. Use it to stop our .NET programs from tests: a child of a job
    /// started in the background by a script inherits SIGINT ignored, and .NET keeps it ignored.
    /// </summary>
    public void Terminate() => Signal(process.Id, SigTerm);

    /// <summary>SIGSTOP: the process stops running but keeps its sockets, as a part cut off by the network.</summary>
    public void Suspend() => Signal(process.Id, SigStop);

    /// <summary>SIGCONT after <see cref="Suspend"/>.</summary>
    public void Resume() => Signal(process.Id, SigCont);

    /// <summary>Sends a signal to any process (a child's own child, say).</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"Could not send signal {signal} to process {pid} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>SIGKILL, as a crash: with <paramref name="entireProcessTree"/> false, its own children are left running.</summary>
    public void Kill(bool entireProcessTree = false) => process.Kill(entireProcessTree);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(string? line, StringBuilder stream)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            stream.AppendLine(line);
            text.AppendLine(line);
        }
    }

    private string Read(StringBuilder stream)
    {
        lock (text)
        {
            return stream.ToString();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
