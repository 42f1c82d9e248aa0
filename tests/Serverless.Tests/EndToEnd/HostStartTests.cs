using System.Diagnostics;
using Serverless.FunctionsHost;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Rpc;
using Serverless.FunctionsHost.Worker;
using Serverless.Testing;

namespace Serverless.Tests.EndToEnd;

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
        Assert.Equal(["Channels", "Health", "Ingest", "Latest", "Negotiate", "Subscribe", "Updates"], worker.Functions.Select(f => f.Name).Order());
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
            var (exitCode, output) = await RunHostAsync("--script-root", empty.FullName, "--port", FreePort.Next().ToString());

            Assert.NotEqual(0, exitCode);
            Assert.Contains("has no worker.config.json", output);
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
        settings["Ingest__MaxEventBytes"] = "lots";

        var error = await Assert.ThrowsAsync<FunctionAppStartException>(() => FunctionAppServer.StartAsync(settings));

        Assert.Contains("exited with code", error.Message);
        Assert.Contains("Ingest__MaxEventBytes", error.Message);
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

    private static async Task<(int ExitCode, string Output)> RunHostAsync(params string[] arguments)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Serverless.FunctionsHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(host);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await errors);
    }
}
