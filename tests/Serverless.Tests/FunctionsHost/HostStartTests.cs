using System.Diagnostics;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Rpc;
using Serverless.FunctionsHost.Worker;
using Serverless.FunctionsHost;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.FunctionsHost;

/// <summary>How the host stand-in starts a worker, and what it says when it cannot.</summary>
[Collection(PipelineCollection.Name)]
public sealed class HostStartTests(PipelineFixture fixture)
{
    [Fact]
    public async Task The_worker_answers_init_and_metadata_and_loads_every_function_with_its_http_uri()
    {
        var worker = await fixture.App.Supervisor.WaitForWorkerAsync(CancellationToken.None);
        var status = await fixture.Http.GetStringAsync("/admin/host/status");

        Assert.NotNull(worker.HttpUri);
        Assert.Equal("localhost", worker.HttpUri!.Host);
        Assert.Equal(["Channels", "Compact", "Health", "Ingest", "Latest", "Negotiate", "NotFound", "Subscribe", "Updates"], worker.Functions.Select(f => f.Name).Order());
        // Function ids are the worker's own (a stable hash), reused for every load and invocation.
        Assert.All(worker.Functions, f => Assert.True(ulong.TryParse(f.FunctionId, out _), f.FunctionId));
        Assert.Contains("\"state\":\"Running\"", status);
    }

    [Fact]
    public async Task A_script_root_without_an_app_stops_the_host_with_a_message()
    {
        var empty = Directory.CreateTempSubdirectory("no-app-");
        try
        {
            var (exitCode, host) = await CliProcess.RunAsync("host", "--script-root", empty.FullName, "--port", LoopbackPorts.Free().ToString());

            Assert.NotEqual(0, exitCode);
            Assert.Contains("has no worker.config.json", host.Text);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_worker_that_stops_at_start_has_its_error_in_the_message()
    {
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString);
        settings[SettingNames.MaxEventBytes] = "lots";

        var error = await Assert.ThrowsAsync<FunctionAppStartException>(() => FunctionAppServer.StartAsync(settings));

        Assert.Contains("exited with code", error.Message);
        Assert.Contains(SettingNames.MaxEventBytes, error.Message);
    }

    [Fact]
    public async Task A_worker_that_never_connects_times_out_with_a_message()
    {
        var root = Directory.CreateTempSubdirectory("silent-worker-");
        try
        {
            // A "worker" that starts and never opens the gRPC stream.
            File.WriteAllText(Path.Combine(root.FullName, "worker.config.json"),
                """{"description":{"language":"dotnet-isolated","defaultExecutablePath":"/bin/sh","defaultWorkerPath":"silent.sh"}}""");
            File.WriteAllText(Path.Combine(root.FullName, "silent.sh"), "sleep 600\n");
            File.WriteAllText(Path.Combine(root.FullName, "host.json"), """{"version":"2.0"}""");
            var options = FunctionAppServer.Options(new Dictionary<string, string?>(), root.FullName) with { WorkerStartTimeout = TimeSpan.FromSeconds(2) };

            var error = await Assert.ThrowsAsync<FunctionAppStartException>(() => FunctionAppServer.StartAsync(options));

            Assert.Contains("did not connect", error.Message);
            Assert.Contains("within 2 s", error.Message);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_function_with_a_binding_the_host_does_not_implement_is_not_loaded_and_says_which()
    {
        var metadata = new RpcFunctionMetadata { Name = "Orders", FunctionId = "1" };
        metadata.RawBindings.Add("""{"name":"message","type":"queueTrigger","direction":"In","queueName":"orders"}""");
        var http = new RpcFunctionMetadata { Name = "Ping", FunctionId = "2" };
        http.RawBindings.Add("""{"name":"$return","type":"http","direction":"Out"}""");
        http.RawBindings.Add("""{"name":"req","type":"httpTrigger","direction":"In","methods":["get"]}""");

        Assert.Equal("this host does not implement the binding type 'queueTrigger' (binding 'message')", FunctionLoadCheck.WhyNotLoadable(FunctionDescription.From(metadata)));
        Assert.Null(FunctionLoadCheck.WhyNotLoadable(FunctionDescription.From(http)));
    }

    [Fact]
    public async Task A_worker_left_by_a_killed_host_is_stopped_by_the_next_host_on_the_same_script_root_and_port()
    {
        // A copy of the app with its own local.settings.json, run by host processes that a test can kill.
        var root = Directory.CreateTempSubdirectory("app-");
        try
        {
            foreach (var file in Directory.GetFiles(TestRepo.Layout.FunctionAppFolder, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root.FullName, Path.GetRelativePath(TestRepo.Layout.FunctionAppFolder, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var values = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, fixture.EventHubs.ConnectionString);
            File.WriteAllText(Path.Combine(root.FullName, LocalSettings.FileName), System.Text.Json.JsonSerializer.Serialize(new { Values = values }));
            var port = LoopbackPorts.Free();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            await using var first = CliProcess.Start("host", "--script-root", root.FullName, "--port", port.ToString());
            var orphan = await RunningWorkerAsync(http);
            first.Kill();
            await first.WaitForExitAsync();
            Assert.False(Process.GetProcessById(orphan).HasExited, "the worker outlives a killed host");

            await using var second = CliProcess.Start("host", "--script-root", root.FullName, "--port", port.ToString());
            var worker = await RunningWorkerAsync(http);
            second.Kill(entireProcessTree: true);

            Assert.NotEqual(orphan, worker);
            Assert.True(await EndsAsync(orphan), $"the worker {orphan} the killed host left is still running");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>Whether the process ends within 10 s (gone, or a zombie waiting for its new parent to reap it).</summary>
    private static async Task<bool> EndsAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat) || File.ReadAllText(stat).Contains(") Z ", StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static async Task<int> RunningWorkerAsync(HttpClient host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                var status = System.Text.Json.JsonDocument.Parse(await host.GetStringAsync("/admin/host/status", timeout.Token)).RootElement;
                if (status.GetProperty("state").GetString() == "Running")
                {
                    return status.GetProperty("workerProcessId").GetInt32();
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
