using Serverless.FunctionsHost.App;

namespace Serverless.FunctionsHost;

/// <summary>The Functions host stand-in on its own, as <c>serverless host --script-root folder [--port N]</c> runs it.</summary>
public static class FunctionsHostProgram
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        string? scriptRoot = null;
        int? port = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--script-root" when value is not null:
                    scriptRoot = value;
                    i++;
                    break;
                case "--port" when int.TryParse(value, out var number) && number is > 0 and < 65536:
                    port = number;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'. Usage: --script-root <app output folder> [--port N]");
                    return 2;
            }
        }

        if (scriptRoot is null)
        {
            Console.Error.WriteLine("--script-root is required: the isolated-worker app's build or publish output (worker.config.json, host.json, the app's assembly).");
            return 2;
        }

        WebApplication app;
        try
        {
            app = FunctionsHostApp.Build(FunctionsHostOptions.FromScriptRoot(scriptRoot, port));
        }
        catch (Exception ex) when (ex is ScriptRootException or InvalidOperationException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }

        try
        {
            await FunctionsHostApp.StartAsync(app, cancellationToken);
        }
        catch (Exception ex) when (ex is FunctionAppStartException or TimeoutException)
        {
            Console.Error.WriteLine(ex.Message);
            await app.StopAsync();
            return 1;
        }

        var options = app.Services.GetRequiredService<FunctionsHostOptions>();
        Console.WriteLine($"Functions host stand-in on http://127.0.0.1:{options.Port}/ for {Path.GetFullPath(scriptRoot)}");
        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }
}
