using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Serverless.Tooling;

namespace Serverless.Infra.Model;

/// <summary>
/// The function app as Azure runs it: an isolated worker published for linux-x64 with ReadyToRun (the platform's
/// .NET 10 runs it), built with the official Event Hubs and SignalR binding packages so that the SDK installs their
/// host-side extensions (extensions.json), and zipped with <c>host.json</c>, <c>worker.config.json</c> and
/// <c>functions.metadata</c> at the root.
/// </summary>
/// <param name="Identity">
/// A hash of what the package is built from (see <see cref="SourceIdentity"/>): the same sources give the same
/// identity, so an unchanged app is not uploaded or deployed again.
/// </param>
public sealed record FunctionPackage(string ZipPath, string Sha256, long Bytes, string Identity)
{
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>The app's assembly: worker.config.json's defaultWorkerPath is <c>{AssemblyName}.dll</c>.</summary>
    public const string AssemblyName = "Serverless.Functions";

    /// <summary>The host-side extensions the official binding packages bring, as extensions.json names their assemblies.</summary>
    public static readonly IReadOnlyList<string> HostExtensions = ["Microsoft.Azure.WebJobs.Extensions.EventHubs", "Microsoft.Azure.WebJobs.Extensions.SignalRService"];

    /// <summary>
    /// The publish command, as docs/deploy.md documents it (run from the repository root). <paramref name="officialBindings"/>
    /// false builds with the app's own binding declarations: a package the local host runs, not one for Azure.
    /// </summary>
    public static IReadOnlyList<string> PublishArguments(string projectPath, string outputFolder, bool officialBindings = true) =>
    [
        "publish", projectPath,
        "--configuration", "Release",
        "--runtime", RuntimeIdentifier,
        "--self-contained", "false",
        "-p:PublishReadyToRun=true",
        $"-p:OfficialBindingPackages={(officialBindings ? "true" : "false")}",
        "--output", outputFolder,
    ];

    // Fixed entry times and sorted entries: the same files give the same zip.
    private static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<FunctionPackage> BuildAsync(RepoLayout repo, TextWriter log, CancellationToken cancellationToken, bool officialBindings = true)
    {
        var publishFolder = Path.Combine(repo.PackageOutput, "publish");
        if (Directory.Exists(publishFolder))
        {
            Directory.Delete(publishFolder, recursive: true);
        }

        await RunDotnetAsync(PublishArguments(repo.FunctionsProject, publishFolder, officialBindings), repo.Root, log, cancellationToken);
        var zipPath = Path.Combine(repo.PackageOutput, "functions.zip");
        var package = Zip(publishFolder, zipPath) with { Identity = SourceIdentity(repo, publishFolder) };
        var problems = Check(zipPath, officialBindings);
        return problems.Count == 0
            ? package
            : throw new InvalidOperationException($"The package {zipPath} is not a runnable function app:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
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
                    // Keep the Unix mode in the entry, as unzip on Linux reads it.
                    entry.ExternalAttributes = ((int)File.GetUnixFileMode(path) | 0x8000) << 16;
                }

                using var source = File.OpenRead(path);
                using var target = entry.Open();
                source.CopyTo(target);
            }
        }

        using var stream = File.OpenRead(zipPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new FunctionPackage(zipPath, hash, stream.Length, hash);
    }

    /// <summary>
    /// A hash of what the package is built from: the function app's sources (everything under functions/ but build
    /// output and local settings) and the publish's <c>.deps.json</c> and <c>.runtimeconfig.json</c>, which name every
    /// package, the runtime and its settings. Not the zip's own hash: the logging source generator emits its code in a
    /// different order from one clean build to the next, so the same sources don't give the same assembly bytes.
    /// </summary>
    public static string SourceIdentity(RepoLayout repo, string publishFolder)
    {
        var sources = Directory.EnumerateFiles(repo.Functions, "*", SearchOption.AllDirectories)
            .Select(path => (Name: "functions/" + Path.GetRelativePath(repo.Functions, path).Replace('\\', '/'), Path: path))
            .Where(file => !file.Name.StartsWith("functions/bin/", StringComparison.Ordinal)
                && !file.Name.StartsWith("functions/obj/", StringComparison.Ordinal)
                && file.Name != "functions/local.settings.json");
        var published = new[] { $"{AssemblyName}.deps.json", $"{AssemblyName}.runtimeconfig.json" }
            .Select(name => (Name: "publish/" + name, Path: Path.Combine(publishFolder, name)));

        using var identity = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, path) in sources.Concat(published).OrderBy(file => file.Name, StringComparer.Ordinal))
        {
            identity.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            identity.AppendData(SHA256.HashData(File.ReadAllBytes(path)));
        }

        return Convert.ToHexStringLower(identity.GetHashAndReset());
    }

    /// <summary>
    /// What keeps the host from starting the worker, or should never ship; empty when the package is good. A package
    /// for Azure (<paramref name="officialBindings"/>) must also name the Event Hubs and SignalR host extensions.
    /// </summary>
    public static IReadOnlyList<string> Check(string zipPath, bool officialBindings = true)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (file, why) in new[]
        {
            ("host.json", "the host's configuration"),
            ("worker.config.json", "how the host starts the worker"),
            ($"{AssemblyName}.dll", "the worker (worker.config.json's defaultWorkerPath)"),
            ("functions.metadata", "the functions the SDK found"),
        })
        {
            if (!names.Contains(file))
            {
                problems.Add($"{file} ({why}) is not at the root.");
            }
        }

        if (officialBindings)
        {
            var extensions = zip.GetEntry("extensions.json") is { } entry ? new StreamReader(entry.Open()).ReadToEnd() : "";
            foreach (var extension in HostExtensions.Where(e => !extensions.Contains(e, StringComparison.Ordinal)))
            {
                problems.Add($"extensions.json does not name {extension}: build with -p:OfficialBindingPackages=true, or Azure's host has no such trigger.");
            }
        }

        if (names.Contains("local.settings.json"))
        {
            problems.Add("local.settings.json is in the package: local settings and secrets must not ship.");
        }

        return problems;
    }

    private static async Task RunDotnetAsync(IReadOnlyList<string> arguments, string workingDirectory, TextWriter log, CancellationToken cancellationToken)
    {
        log.WriteLine($"dotnet {string.Join(' ', arguments)}");
        (await ChildProcess.RunAsync("dotnet", arguments, workingDirectory, cancellationToken: cancellationToken)).EnsureSuccess();
    }
}
