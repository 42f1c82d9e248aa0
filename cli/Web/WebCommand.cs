using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Serverless.Contracts.Local;
using Serverless.Local.Identity;
using Serverless.Local.Stack;
using Serverless.Local.Topology;
using Serverless.Tooling;

namespace Serverless.Cli.Web;

/// <summary>
/// <c>web</c>: serves the web client alone, naming the function app's API in its <c>config.json</c>. With the
/// development issuer's settings in the environment (<c>Auth__Issuer</c>, <c>Auth__SigningKey</c>), it is the page's
/// local sign-in too (docs/identity.md).
/// </summary>
internal static class WebCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port to serve on.", DefaultValueFactory = _ => LocalPorts.Web };
        var api = new Option<string>("--api") { Description = "The function app's API base address.", DefaultValueFactory = _ => LocalConnections.Api($"{LocalPorts.FunctionsHost}") };
        var command = new Command("web", "Serve the web client alone.") { port, api };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
            var app = WebClientServer.Build(RepoLayout.Find(), result.GetValue(port), result.GetValue(api)!.TrimEnd('/'), _ => { }, DevelopmentIssuer.FromSettings(settings));
            await app.StartAsync(cancellationToken);
            Console.WriteLine($"Web client on http://localhost:{result.GetValue(port)}/ for {result.GetValue(api)}");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
