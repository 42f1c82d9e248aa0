using System.CommandLine;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Contracts.Local;
using Serverless.Cli.Demo;
using Serverless.Local.Stack;
using Serverless.Tooling;
using Spectre.Console;

namespace Serverless.Cli.Up;

/// <summary>
/// <c>up</c>: starts the whole pipeline on this machine, prints where each part listens, optionally runs the demo
/// feed, and stops everything on Ctrl+C, leaving the data for the next run.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var demo = new Option<bool>("--demo") { Description = "Publish demo updates (prices and order states) to the local Event Hubs." };
        var rate = new Option<double>("--rate") { Description = "Demo updates per second.", DefaultValueFactory = _ => 5 };
        var data = new Option<string?>("--data") { Description = "Where the parts keep their data (default: .local in the clone)." };
        var verbose = new Option<bool>("--verbose") { Description = "Show the parts' information logs, not only warnings." };
        var signalRTier = new Option<string>("--signalr-tier") { Description = "The SignalR tier whose connection quota the local service keeps: Free (20 connections a unit), Standard or Premium (1,000).", DefaultValueFactory = _ => "Free" };
        signalRTier.AcceptOnlyFromAmong("Free", "Standard", "Premium");
        var instances = new Option<int>("--instances") { Description = "Instances of the function app (1-16), sharing the Event Hubs partitions as in Azure, behind one HTTP address.", DefaultValueFactory = _ => 1 };
        instances.Validators.Add(r => { if (r.GetValue(instances) is < 1 or > 16) r.AddError("--instances must be between 1 and 16."); });
        var signalRUnits = new Option<int>("--signalr-units") { Description = "SignalR units (Free: 1; Standard and Premium: 1-100).", DefaultValueFactory = _ => 1 };
        var storagePort = PortOption("--storage-port", LocalPorts.Storage, "Azurite's Blob service (Queue and Table take the next two)");
        var eventHubsPort = PortOption("--eventhubs-port", LocalPorts.EventHubs, "the local Event Hubs (AMQP)");
        var signalRPort = PortOption("--signalr-port", LocalPorts.SignalR, "the local SignalR Service");
        var hostPort = PortOption("--host-port", LocalPorts.FunctionsHost, "the Functions host stand-in (the function app's HTTP API)");
        var webPort = PortOption("--web-port", LocalPorts.Web, "the web client");
        var command = new Command("up", "Start Azurite, the local Event Hubs and SignalR Service, the function app under the host stand-in, and the web client.")
        {
            demo, rate, data, verbose, instances, storagePort, eventHubsPort, signalRPort, hostPort, webPort, signalRTier, signalRUnits,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            var repo = RepoLayout.Find();
            var level = result.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning;
            var options = new LocalStackOptions
            {
                Repo = repo,
                DataFolder = Path.GetFullPath(result.GetValue(data) ?? repo.DefaultDataFolder),
                StoragePort = result.GetValue(storagePort),
                EventHubsPort = result.GetValue(eventHubsPort),
                SignalRPort = result.GetValue(signalRPort),
                HostPort = result.GetValue(hostPort),
                WebPort = result.GetValue(webPort),
                // --verbose decides, over the app's host.json default level, what up shows.
                Logging = logging => logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
                    .SetMinimumLevel(level).AddFilter((_, shown) => shown >= level),
                WorkerLogLevel = level,
                SignalRTier = result.GetValue(signalRTier)!,
                SignalRUnits = result.GetValue(signalRUnits),
                Instances = result.GetValue(instances),
            };
            return await RunAsync(options, result.GetValue(demo), result.GetValue(rate), cancellationToken);
        });
        return command;
    }

    private static Option<int> PortOption(string name, int port, string what) =>
        new(name) { Description = $"The port of {what}.", DefaultValueFactory = _ => port };

    private static async Task<int> RunAsync(LocalStackOptions options, bool demo, double rate, CancellationToken cancellationToken)
    {
        LocalStack stack;
        try
        {
            stack = await AnsiConsole.Status().StartAsync("Starting the local pipeline…", status =>
                LocalStack.StartAsync(options, message => status.Status(Markup.Escape(message)), cancellationToken));
        }
        catch (LocalStackException ex)
        {
            AnsiConsole.MarkupLine($"[red]Could not start the local pipeline:[/] {Markup.Escape(ex.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }

        await using (stack)
        {
            PrintStatus(stack);
            AnsiConsole.MarkupLine($"Open [link]{stack.WebUrl}[/] to watch updates arrive. Data is kept in [grey]{Markup.Escape(options.DataFolder)}[/]. Press [bold]Ctrl+C[/] to stop.");
            if (stack.Issuer is not null)
            {
                // The public channels need no sign-in; the rest are for the local users (docs/identity.md).
                AnsiConsole.MarkupLine($"Sign in on the page as alice, bob or operator ([link]{stack.WebUrl}?as=alice[/]), or get a token: [grey]dotnet run --project cli -- token --user alice --role orders.reader[/].");
            }
            try
            {
                if (demo)
                {
                    await RunDemoAsync(stack, rate, cancellationToken);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
            }

            AnsiConsole.MarkupLine("Stopping…");
        }

        AnsiConsole.MarkupLine("Stopped. The data stays for the next [bold]up[/].");
        return 0;
    }

    private static void PrintStatus(LocalStack stack)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Serverless, locally[/]").AddColumn("Part").AddColumn("Address");
        foreach (var endpoint in stack.Endpoints)
        {
            table.AddRow(Markup.Escape(endpoint.Part), Markup.Escape(endpoint.Address));
        }

        AnsiConsole.Write(table);
        // Connection strings on lines of their own, written unwrapped, so that they can be copied whole.
        foreach (var endpoint in stack.Endpoints.Where(e => e.Connection is not null))
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(endpoint.Part)}:[/]");
            AnsiConsole.Console.Profile.Out.Writer.WriteLine("  " + endpoint.Connection);
        }
    }

    private static async Task RunDemoAsync(LocalStack stack, double rate, CancellationToken cancellationToken)
    {
        await using var producer = new EventHubProducerClient(stack.EventHubsConnectionString, stack.EventHubName);
        await DemoFeed.RunAsync(producer, rate, line => AnsiConsole.MarkupLine(Markup.Escape(line)), cancellationToken);
    }
}
