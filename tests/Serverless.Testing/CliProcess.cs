using Serverless.Tooling;

namespace Serverless.Testing;

/// <summary>
/// The command-line tool as a user runs it: <c>dotnet serverless.dll …</c> from the CLI's build output, in the clone's
/// root, with its output captured (<see cref="ChildProcess"/>).
/// </summary>
public static class CliProcess
{
    public static ChildProcess Start(params string[] args) => Start(args, environment: null);

    /// <param name="environment">Variables set for the command over the ones it inherits.</param>
    public static ChildProcess Start(string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var cli = TestRepo.Layout.CliAssembly;
        return File.Exists(cli)
            ? ChildProcess.Start("dotnet", [cli, .. args], TestRepo.Layout.Root, environment)
            : throw new InvalidOperationException($"The CLI is not built ({cli}): build the solution first.");
    }

    /// <summary>Runs a command to its end; answers its exit code and the process, whose output stays readable.</summary>
    public static async Task<(int ExitCode, ChildProcess Process)> RunAsync(params string[] args)
    {
        var cli = Start(args);
        return (await cli.WaitForExitAsync(TimeSpan.FromSeconds(120)), cli);
    }

    /// <summary>Waits until the output holds <paramref name="expected"/>; fails if the command ends first.</summary>
    public static async Task WaitForAsync(this ChildProcess cli, string expected, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + limit;
        while (!cli.Text.Contains(expected))
        {
            if (cli.HasExited)
            {
                throw new InvalidOperationException($"The command ended ({cli.ExitCode}) before '{expected}' showed. Output:\n{cli.Text}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{expected}' did not show within {limit.TotalSeconds:0} s. Output:\n{cli.Text}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The output's lines, trimmed.</summary>
    public static string[] Lines(this ChildProcess cli) => cli.Text.Split('\n', StringSplitOptions.TrimEntries);
}
