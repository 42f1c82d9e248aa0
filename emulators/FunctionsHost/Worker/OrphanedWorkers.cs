using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.FunctionsHost.Worker;

/// <summary>
/// A worker outlives a host that was killed (its gRPC reader ends and nothing stops it; docs/functions-host.md). Each
/// host records the worker it runs, by script root and port, and the next host on the same script root and port stops
/// the one a killed host left, after checking from its command line that the process is still that worker.
/// </summary>
internal sealed partial class OrphanedWorkers(string scriptRoot, int port, ILogger logger)
{
    private readonly string recordPath = Path.Combine(Path.GetTempPath(), "serverless-functions-host",
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{scriptRoot}|{port}")))[..16] + ".worker");

    /// <summary>Stops the worker a previous host on this script root and port left running, if any.</summary>
    public void StopLeftOver()
    {
        if (!File.Exists(recordPath) || !OperatingSystem.IsLinux())
        {
            return;
        }

        var lines = File.ReadAllLines(recordPath);
        File.Delete(recordPath);
        if (lines.Length < 2 || !int.TryParse(lines[0], out var pid) || !IsStill(pid, lines[1]))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            LogStopped(pid);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // It ended in the meantime.
        }
    }

    public void Record(int pid, string workerId)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(recordPath)!);
        File.WriteAllLines(recordPath, [pid.ToString(), workerId]);
    }

    public void Forget() => File.Delete(recordPath);

    // The worker's command line holds the worker id the host gave it: the same pid with another command line is not it.
    private static bool IsStill(int pid, string workerId)
    {
        var commandLine = $"/proc/{pid}/cmdline";
        return File.Exists(commandLine) && File.ReadAllText(commandLine).Contains(workerId, StringComparison.Ordinal);
    }

    [LoggerMessage(EventId = 7, EventName = "OrphanedWorkerStopped", Level = LogLevel.Warning,
        Message = "Stopped worker process {ProcessId}, left running by a host on this script root and port that did not stop it")]
    private partial void LogStopped(int processId);
}
