using System.IO.Compression;
using Serverless.FunctionsHost.Bindings;
using Serverless.Infra.Model;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.Infra;

public sealed class FunctionPackageTests
{
    [Fact]
    public async Task The_published_package_runs_under_the_host_with_the_stacks_settings()
    {
        var repo = TestRepo.Layout;
        // This machine's feed does not serve the official binding packages: the package is built with the app's own
        // declarations, which give the same function metadata (FunctionMetadataTests).
        var package = await FunctionPackage.BuildAsync(repo, TextWriter.Null, CancellationToken.None, officialBindings: false);

        using (var zip = ZipFile.OpenRead(package.ZipPath))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("host.json", names);
            Assert.Contains("worker.config.json", names);
            Assert.Contains("functions.metadata", names);
            Assert.DoesNotContain("local.settings.json", names);
        }

        Assert.Empty(FunctionPackage.Check(package.ZipPath, officialBindings: false));
        Assert.Contains(FunctionPackage.Check(package.ZipPath, officialBindings: true), p => p.Contains("Microsoft.Azure.WebJobs.Extensions.EventHubs"));
        Assert.Equal(package.Identity, FunctionPackage.SourceIdentity(repo, Path.Combine(repo.PackageOutput, "publish")));

        // Unpacked, the host stand-in starts it as the Functions host does, with the settings the stack gives it
        // (identity-based connections, which the local host does not use), and the worker loads every function.
        var folder = Directory.CreateTempSubdirectory("package-");
        try
        {
            ZipFile.ExtractToDirectory(package.ZipPath, folder.FullName);
            var settings = FunctionAppSettings.For(InfraSettingsTests.Stack("flex"), InfraSettingsTests.Deployed())
                .ToDictionary(s => s.Key, s => (string?)s.Value);
            await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, folder.FullName));

            var worker = await app.Supervisor.WaitForWorkerAsync(CancellationToken.None);
            Assert.Equal(["Channels", "Compact", "Health", "Ingest", "Latest", "Negotiate", "NotFound", "Subscribe", "Updates"], worker.Functions.Select(f => f.Name).Order());
            // The stack's connection is identity-based, which the local host does not open: the names are what count.
            var trigger = worker.Function("Ingest")!.Trigger!;
            var expressions = new BindingExpressions(FunctionAppServer.Options(settings, folder.FullName));
            Assert.Equal((ResourceNames.EventHub, ResourceNames.ConsumerGroup),
                (expressions.Resolve(trigger.Property("eventHubName")), expressions.Resolve(trigger.Property("consumerGroup"))));
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
            foreach (var file in new[] { "host.json", "worker.config.json", "functions.metadata", $"{FunctionPackage.AssemblyName}.dll" })
            {
                File.WriteAllText(Path.Combine(folder.FullName, file), "{}");
            }

            var assembly = Path.Combine(folder.FullName, $"{FunctionPackage.AssemblyName}.dll");

            var first = FunctionPackage.Zip(folder.FullName, Path.Combine(folder.FullName, "..", folder.Name + "-1.zip"));
            File.SetLastWriteTimeUtc(assembly, DateTime.UtcNow.AddHours(-3));
            var second = FunctionPackage.Zip(folder.FullName, Path.Combine(folder.FullName, "..", folder.Name + "-2.zip"));

            Assert.Equal(first.Sha256, second.Sha256);
            Assert.Empty(FunctionPackage.Check(first.ZipPath, officialBindings: false));
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
            var repo = new RepoLayout(root.FullName);
            var publish = Path.Combine(root.FullName, "publish");
            Write(Path.Combine(repo.Functions, "Ingest", "IngestFunction.cs"), "class IngestFunction;");
            Write(Path.Combine(repo.Functions, "host.json"), "{}");
            Write(Path.Combine(publish, $"{FunctionPackage.AssemblyName}.deps.json"), """{"libraries":{}}""");
            Write(Path.Combine(publish, $"{FunctionPackage.AssemblyName}.runtimeconfig.json"), "{}");
            var first = FunctionPackage.SourceIdentity(repo, publish);

            Write(Path.Combine(repo.Functions, "bin", "Release", "Serverless.Functions.dll"), "build output");
            Write(Path.Combine(repo.Functions, "obj", "project.assets.json"), "restore output");
            Write(Path.Combine(repo.Functions, "local.settings.json"), """{"Values":{}}""");
            Write(Path.Combine(publish, $"{FunctionPackage.AssemblyName}.dll"), "compiled, not the same bytes twice");
            var unchanged = FunctionPackage.SourceIdentity(repo, publish);

            Write(Path.Combine(repo.Functions, "host.json"), """{"version":"2.0"}""");
            var changedSource = FunctionPackage.SourceIdentity(repo, publish);
            Write(Path.Combine(publish, $"{FunctionPackage.AssemblyName}.deps.json"), """{"libraries":{"Azure.Core/1.50.0":{}}}""");
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
            File.WriteAllText(Path.Combine(folder.FullName, $"{FunctionPackage.AssemblyName}.dll"), "an assembly");
            File.WriteAllText(Path.Combine(folder.FullName, "extensions.json"), """{"extensions":[]}""");
            File.WriteAllText(Path.Combine(folder.FullName, "local.settings.json"), "{}");

            FunctionPackage.Zip(folder.FullName, zipPath);
            var problems = FunctionPackage.Check(zipPath);

            Assert.Collection(problems,
                p => Assert.Contains("host.json", p),
                p => Assert.Contains("worker.config.json", p),
                p => Assert.Contains("functions.metadata", p),
                p => Assert.Contains("Microsoft.Azure.WebJobs.Extensions.EventHubs", p),
                p => Assert.Contains("Microsoft.Azure.WebJobs.Extensions.SignalRService", p),
                p => Assert.Contains("local.settings.json", p));
        }
        finally
        {
            folder.Delete(recursive: true);
            File.Delete(zipPath);
        }
    }
}
