using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>
/// The npm packages the local stack runs (Azurite, the SignalR browser client), pinned by <c>package-lock.json</c> and
/// installed into the clone's <c>node_modules</c>, the local tools folder, when they are missing or the lock changed.
/// Node.js itself comes from Debian when it is missing and we may install it.
/// </summary>
public static class NodePackages
{
    public static async Task EnsureInstalledAsync(RepoLayout repo, Action<string> report, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(repo.NodeModules, ".package-lock.json");
        var lockFile = Path.Combine(repo.Root, "package-lock.json");
        if (File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(lockFile) && File.Exists(repo.NodeBin("azurite")))
        {
            return;
        }

        if (!await SucceedsAsync("npm", ["--version"], repo.Root, cancellationToken))
        {
            await InstallNodeAsync(report, cancellationToken);
        }

        report("Installing npm packages (Azurite, @microsoft/signalr) into node_modules…");
        await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], repo.Root, cancellationToken);
    }

    private static async Task InstallNodeAsync(Action<string> report, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get") || Environment.UserName != "root")
        {
            throw new InvalidOperationException("Node.js and npm are needed for Azurite. Install them (on Debian or Ubuntu: sudo apt-get install nodejs npm) and run again.");
        }

        report("Installing Node.js and npm from Debian…");
        await RunAsync("apt-get", ["update", "-qq"], "/", cancellationToken);
        await RunAsync("apt-get", ["install", "-y", "-qq", "nodejs", "npm"], "/", cancellationToken);
    }

    private static async Task<bool> SucceedsAsync(string file, string[] arguments, string folder, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(file, arguments, folder, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, string[] arguments, string folder, CancellationToken cancellationToken) =>
        (await ChildProcess.RunAsync(file, arguments, folder, cancellationToken: cancellationToken)).EnsureSuccess();
}
