using Serverless.Testing.Chaos;

namespace Serverless.Benchmarks;

/// <summary>
/// <c>chaos [minutes] [rate] [channels] [--kill-azurite] [--no-bad-events] [--instances] [--logs DIR]</c>: the fault matrix on the whole local
/// pipeline (see <see cref="ChaosRun"/>), spread over about <c>minutes</c> (default 10), with 10,000 bad events mixed
/// in; <c>--instances</c> runs the instance rows instead (two instances, a third added, one stopped, one killed, two
/// killed at once), with the app's own balancing intervals. Prints a Markdown table; exit code 0 only when nothing was lost, duplicated or out of order and only the bad
/// events were dead-lettered, each with its reason. <c>--logs DIR</c> keeps each part's output (<c>host.log</c> holds
/// the worker's).
/// </summary>
public static class ChaosCommand
{
    // Seven faults, each followed by a steady stretch, and one steady stretch before them.
    private const int Stretches = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var logsAt = Array.IndexOf(args, "--logs");
        var logs = logsAt >= 0 && logsAt + 1 < args.Length ? Path.GetFullPath(args[logsAt + 1]) : null;
        var numbers = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (logsAt < 0 || i != logsAt + 1)).Select(double.Parse).ToArray();
        var minutes = numbers.ElementAtOrDefault(0) is > 0 and var m ? m : 10;
        var options = new ChaosOptions
        {
            Steady = TimeSpan.FromMinutes(minutes / Stretches) - TimeSpan.FromSeconds(5),
            Rate = numbers.ElementAtOrDefault(1) is > 0 and var rate ? rate : 200,
            Channels = numbers.ElementAtOrDefault(2) is > 0 and var channels ? (int)channels : 50,
            KillAzurite = args.Contains("--kill-azurite"),
            BadEvents = args.Contains("--no-bad-events") ? 0 : 10_000,
            // A backlog built up during the faults may take a while to drain on a small machine.
            Settle = TimeSpan.FromMinutes(10),
            LogFolder = logs,
        };
        if (args.Contains("--instances"))
        {
            options = options with { Matrix = ChaosMatrix.Instances, Instances = 2 };
        }

        Console.WriteLine($"Fault run: {options.Rate}/s over {options.Channels} channels, {minutes:0.#} min, on {Machine.Current()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var report = await new ChaosRun(options, Console.WriteLine).RunAsync();
        Console.WriteLine();
        Console.WriteLine(report.ToTable());
        Console.WriteLine(report.Passed ? "PASSED" : "FAILED");
        return report.Passed ? 0 : 1;
    }
}
