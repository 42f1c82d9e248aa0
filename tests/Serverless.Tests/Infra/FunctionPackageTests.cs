using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.FunctionsHost;
using Serverless.Infra.Model;

namespace Serverless.Tests.Infra;

public sealed class FunctionPackageTests
{
    [Fact]
    public async Task The_published_package_runs_as_a_custom_handler_with_the_stacks_settings()
    {
        var repo = RepoFolders.Find(AppContext.BaseDirectory);
        var package = await FunctionPackage.BuildAsync(repo, TextWriter.Null, CancellationToken.None);

        using (var zip = ZipFile.OpenRead(package.ZipPath))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            var functions = Directory.GetDirectories(repo.Functions).Where(d => File.Exists(Path.Combine(d, "function.json"))).Select(Path.GetFileName).ToList();
            Assert.NotEmpty(functions);
            Assert.All(functions, function => Assert.Contains($"{function}/function.json", names));
            Assert.Contains("host.json", names);
            Assert.DoesNotContain("local.settings.json", names);
        }

        Assert.Empty(FunctionPackage.Check(package.ZipPath));
        Assert.Equal(package.Identity, FunctionPackage.SourceIdentity(repo, Path.Combine(repo.PackageOutput, "publish")));

        // Unpacked, the host stand-in starts it as the Functions host does (host.json's executable, the app settings,
        // FUNCTIONS_CUSTOMHANDLER_PORT) with the settings the stack gives it, and it answers the host's probe.
        var folder = Directory.CreateTempSubdirectory("package-");
        try
        {
            ZipFile.ExtractToDirectory(package.ZipPath, folder.FullName);
            var settings = FunctionAppSettings.For(InfraSettingsTests.Stack("flex"), InfraSettingsTests.Deployed())
                .ToDictionary(s => s.Key, s => (string?)s.Value);
            var app = FunctionAppDefinition.Read(folder.FullName, settings);
            await using var handler = new CustomHandlerProcess(app, new FunctionsHostOptions(folder.FullName, 0, settings), NullLogger<CustomHandlerProcess>.Instance);
            await handler.StartAsync(CancellationToken.None);

            using var http = new HttpClient { BaseAddress = handler.BaseAddress };
            Assert.Equal("Serverless function app", await http.GetStringAsync("/"));
            Assert.Contains(app.EventHubFunctions, f => f.Name == "Ingest" && f.HubName == ResourceNames.EventHub && f.ConsumerGroup == ResourceNames.ConsumerGroup);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_same_files_give_the_same_package()
    {
        var folder = Directory.CreateTempSubdirectory("zip-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "host.json"), "{}");
            Directory.CreateDirectory(Path.Combine(folder.FullName, "Ingest"));
            File.WriteAllText(Path.Combine(folder.FullName, "Ingest", "function.json"), "{}");
            var executable = Path.Combine(folder.FullName, FunctionPackage.Executable);
            File.WriteAllText(executable, "#!/bin/sh");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var first = FunctionPackage.Zip(folder.FullName, Path.Combine(folder.FullName, "..", folder.Name + "-1.zip"));
            File.SetLastWriteTimeUtc(executable, DateTime.UtcNow.AddHours(-3));
            var second = FunctionPackage.Zip(folder.FullName, Path.Combine(folder.FullName, "..", folder.Name + "-2.zip"));

            Assert.Equal(first.Sha256, second.Sha256);
            Assert.Empty(FunctionPackage.Check(first.ZipPath));
            File.Delete(first.ZipPath);
            File.Delete(second.ZipPath);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_identity_follows_the_sources_and_the_published_dependencies_not_the_build_output()
    {
        var root = Directory.CreateTempSubdirectory("identity-");
        try
        {
            var repo = new RepoFolders(root.FullName);
            var publish = Path.Combine(root.FullName, "publish");
            Write(Path.Combine(repo.Functions, "Ingest", "function.json"), "{}");
            Write(Path.Combine(repo.Functions, "host.json"), "{}");
            Write(Path.Combine(publish, $"{FunctionPackage.Executable}.deps.json"), """{"libraries":{}}""");
            Write(Path.Combine(publish, $"{FunctionPackage.Executable}.runtimeconfig.json"), "{}");
            var first = FunctionPackage.SourceIdentity(repo, publish);

            Write(Path.Combine(repo.Functions, "bin", "Release", "Serverless.Functions.dll"), "build output");
            Write(Path.Combine(repo.Functions, "obj", "project.assets.json"), "restore output");
            Write(Path.Combine(repo.Functions, "local.settings.json"), """{"Values":{}}""");
            Write(Path.Combine(publish, $"{FunctionPackage.Executable}.dll"), "compiled, not the same bytes twice");
            var unchanged = FunctionPackage.SourceIdentity(repo, publish);

            Write(Path.Combine(repo.Functions, "host.json"), """{"version":"2.0"}""");
            var changedSource = FunctionPackage.SourceIdentity(repo, publish);
            Write(Path.Combine(publish, $"{FunctionPackage.Executable}.deps.json"), """{"libraries":{"Azure.Core/1.50.0":{}}}""");
            var changedDependencies = FunctionPackage.SourceIdentity(repo, publish);

            Assert.Equal(first, unchanged);
            Assert.NotEqual(first, changedSource);
            Assert.NotEqual(changedSource, changedDependencies);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void A_package_the_host_cannot_start_is_refused_with_the_reasons()
    {
        var folder = Directory.CreateTempSubdirectory("bad-");
        var zipPath = folder.FullName + ".zip";
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, FunctionPackage.Executable), "not executable");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(folder.FullName, FunctionPackage.Executable), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.WriteAllText(Path.Combine(folder.FullName, "local.settings.json"), "{}");

            FunctionPackage.Zip(folder.FullName, zipPath);
            var problems = FunctionPackage.Check(zipPath);

            Assert.Collection(problems,
                p => Assert.Contains("host.json", p),
                p => Assert.Contains("not executable", p),
                p => Assert.Contains("no function folder", p),
                p => Assert.Contains("local.settings.json", p));
        }
        finally
        {
            folder.Delete(recursive: true);
            File.Delete(zipPath);
        }
    }
}
