using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Serverless.Infra.Model;

/// <summary>
/// The function app as Azure runs it: published self-contained for linux-x64 with ReadyToRun, zipped with
/// <c>host.json</c> and one folder per function next to the executable (the custom handler's app root).
/// </summary>
public sealed record FunctionPackage(string ZipPath, string Sha256, long Bytes)
{
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>host.json's customHandler.description.defaultExecutablePath.</summary>
    public const string Executable = "Serverless.Functions";

    /// <summary>The publish command, as the README documents it (run from the repository root).</summary>
    public static IReadOnlyList<string> PublishArguments(string projectPath, string outputFolder) =>
    [
        "publish", projectPath,
        "--configuration", "Release",
        "--runtime", RuntimeIdentifier,
        "--self-contained",
        "-p:PublishReadyToRun=true",
        "--output", outputFolder,
    ];

    // Fixed entry times, sorted entries: the same build gives the same bytes, so an unchanged app is no change to deploy.
    private static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<FunctionPackage> BuildAsync(RepoFolders repo, TextWriter log, CancellationToken cancellationToken)
    {
        var publishFolder = Path.Combine(repo.PackageOutput, "publish");
        if (Directory.Exists(publishFolder))
        {
            Directory.Delete(publishFolder, recursive: true);
        }

        await RunDotnetAsync(PublishArguments(repo.FunctionsProject, publishFolder), repo.Root, log, cancellationToken);
        var zipPath = Path.Combine(repo.PackageOutput, "functions.zip");
        var package = Zip(publishFolder, zipPath);
        var problems = Check(zipPath);
        return problems.Count == 0
            ? package
            : throw new InvalidOperationException($"The package {zipPath} is not a runnable custom handler:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }

    public static FunctionPackage Zip(string folder, string zipPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(zipPath))!);
        File.Delete(zipPath);
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var entry = zip.CreateEntry(Path.GetRelativePath(folder, path).Replace('\\', '/'), CompressionLevel.Optimal);
                entry.LastWriteTime = EntryTime;
                if (!OperatingSystem.IsWindows())
                {
                    // Keep the Unix mode (the executable bit of the handler) in the entry, as unzip on Linux reads it.
                    entry.ExternalAttributes = ((int)File.GetUnixFileMode(path) | 0x8000) << 16;
                }

                using var source = File.OpenRead(path);
                using var target = entry.Open();
                source.CopyTo(target);
            }
        }

        using var stream = File.OpenRead(zipPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new FunctionPackage(zipPath, hash, stream.Length);
    }

    /// <summary>What keeps the host from starting the handler, or should never ship; empty when the package is good.</summary>
    public static IReadOnlyList<string> Check(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        if (!names.Contains("host.json"))
        {
            problems.Add("host.json is not at the root.");
        }

        var executable = zip.GetEntry(Executable);
        if (executable is null)
        {
            problems.Add($"{Executable} (host.json's defaultExecutablePath) is not at the root.");
        }
        else if (((executable.ExternalAttributes >> 16) & 0b001_000_000) == 0)
        {
            problems.Add($"{Executable} is not executable (no owner execute bit in the entry).");
        }

        if (!names.Any(n => n.EndsWith("/function.json", StringComparison.Ordinal)))
        {
            problems.Add("no function folder (*/function.json).");
        }

        if (names.Contains("local.settings.json"))
        {
            problems.Add("local.settings.json is in the package: local settings and secrets must not ship.");
        }

        return problems;
    }

    private static async Task RunDotnetAsync(IReadOnlyList<string> arguments, string workingDirectory, TextWriter log, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        log.WriteLine($"dotnet {string.Join(' ', arguments)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):{Environment.NewLine}{await output}{await errors}");
        }
    }
}
