using System.Diagnostics;

namespace Serverless.Tooling;

/// <summary>What a finished child process said.</summary>
public sealed record ChildProcessResult(string Command, int ExitCode, string Output, string Errors)
{
    /// <summary>The result, or an exception that quotes the command and what it said when it failed.</summary>
    public ChildProcessResult EnsureSuccess() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"{Command} failed ({ExitCode}): {Errors.Trim()} {Output.Trim()}".Trim());
}

/// <summary>Runs a program to its end, with its output captured: npm, dotnet publish, node scripts.</summary>
public static class ChildProcess
{
    public static async Task<ChildProcessResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var command = $"{file} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{command} did not finish within {timeout!.Value.TotalSeconds:0} s: {(await errors).Trim()}");
        }

        return new ChildProcessResult(command, process.ExitCode, await output, await errors);
    }
}
