using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Serverless.Testing;

/// <summary>
/// The command-line tool as a user runs it: <c>dotnet serverless.dll …</c> from the CLI's build output, in the clone's
/// root, with its output (stdout and stderr, in order of arrival) captured as text.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private const int SigInt = 2;
    private readonly Process process;
    private readonly StringBuilder text = new();

    private CliProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Text
    {
        get
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }

    public string[] Lines => Text.Split('\n', StringSplitOptions.TrimEntries);

    public static CliProcess Start(params string[] args)
    {
        var cli = TestRepo.Layout.CliAssembly;
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"The CLI is not built ({cli}): build the solution first.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestRepo.Layout.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new CliProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet."));
    }

    /// <summary>Runs a command to its end; answers its exit code (its output stays in <see cref="Text"/>).</summary>
    public static async Task<(int ExitCode, CliProcess Process)> RunAsync(params string[] args)
    {
        var cli = Start(args);
        return (await cli.WaitForExitAsync(), cli);
    }

    /// <summary>Waits until the output holds <paramref name="expected"/>; fails if the command ends first.</summary>
    public async Task WaitForAsync(string expected, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + limit;
        while (!Text.Contains(expected))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The command ended ({process.ExitCode}) before '{expected}' showed. Output:\n{Text}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{expected}' did not show within {limit.TotalSeconds:0} s. Output:\n{Text}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Ctrl+C, as a user stops a command that runs until stopped.</summary>
    public void Interrupt()
    {
        if (Kill(process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"Could not interrupt process {process.Id} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>SIGKILL, as a crash: with <paramref name="entireProcessTree"/> false, children (a worker) are left running.</summary>
    public void Kill(bool entireProcessTree = false) => process.Kill(entireProcessTree);

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(120));
        process.WaitForExit(); // the end of the redirected output
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.Append(line).Append('\n');
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
