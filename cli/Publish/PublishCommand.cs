using System.CommandLine;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Contracts.Settings;
using Serverless.Local.Demo;
using Serverless.Local.Publishing;
using Spectre.Console;

namespace Serverless.Cli.Publish;

/// <summary><c>publish</c>: sends CloudEvents from a file, stdin or the demo generator to Event Hubs at a chosen rate.</summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file", "-f") { Description = "CloudEvents to send: one JSON object per line, or a JSON array. '-' reads stdin." };
        var generate = new Option<bool>("--generate") { Description = "Send demo updates (prices and order states); the default without --file." };
        var rate = new Option<double>("--rate") { Description = "Updates per second; 0 sends as fast as the hub takes them.", DefaultValueFactory = _ => 10 };
        var count = new Option<long?>("--count", "-n") { Description = "How many to send (default: the whole file, or 100 generated)." };
        var connection = new Option<string?>("--connection") { Description = "Event Hubs connection string (default: $EventHubConnection, else the local Event Hubs)." };
        var hub = new Option<string>("--hub") { Description = "The event hub.", DefaultValueFactory = _ => "updates" };
        var command = new Command("publish", "Send updates to Event Hubs, each with its channel (subject) as the partition key.")
        {
            file, generate, rate, count, connection, hub,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file);
            if (path is not null && result.GetValue(generate))
            {
                AnsiConsole.MarkupLine("[red]Choose one source:[/] --file or --generate.");
                return 2;
            }

            if (path is not null && path != "-" && !File.Exists(path))
            {
                AnsiConsole.MarkupLine($"[red]No such file:[/] {Markup.Escape(path)}");
                return 2;
            }

            var connectionString = result.GetValue(connection) ?? Environment.GetEnvironmentVariable(SettingNames.EventHubConnection) ?? SettingDefaults.LocalEventHubConnection();
            var limit = result.GetValue(count) ?? (path is null ? 100 : null);
            return await RunAsync(connectionString, result.GetValue(hub)!, path, result.GetValue(rate), limit, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(string connectionString, string hub, string? path, double rate, long? count, CancellationToken cancellationToken)
    {
        EventHubProducerClient producer;
        try
        {
            producer = Producer(connectionString, hub);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            AnsiConsole.MarkupLine($"[red]Not an Event Hubs connection string:[/] {Markup.Escape(ex.Message)}");
            return 2;
        }

        await using var client = producer;
        try
        {
            // The client connects on first use: ask the hub for its partitions now, so that an unreachable or
            // refusing namespace is said at once rather than as every send failing.
            await producer.GetPartitionIdsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AnsiConsole.MarkupLine($"[red]Could not connect to Event Hubs:[/] {Markup.Escape(ex.Message)}");
            return 1;
        }

        var rejected = new List<string>();
        using var reader = path switch
        {
            null => null,
            "-" => new StreamReader(Console.OpenStandardInput()),
            _ => new StreamReader(path),
        };
        var updates = reader is null
            ? UpdateSource.GenerateAsync(new UpdateGenerator(), cancellationToken)
            : UpdateSource.ReadAsync(reader, rejected.Add, cancellationToken);

        var publisher = new RatePublisher(producer, rate, count);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"Publishing to {Markup.Escape(hub)}", maxValue: count ?? 1);
                task.IsIndeterminate = count is null;
                var run = publisher.RunAsync(updates, cancellationToken);
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(200, CancellationToken.None));
                    task.Value = publisher.Stats.SentCount + publisher.Stats.FailedCount;
                    task.Description = $"Publishing to {Markup.Escape(hub)} ({publisher.Stats.Rate:0.0}/s)";
                }

                await Observe(run);
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return Summarize(publisher.Stats, rejected);
    }

    /// <summary>
    /// The official producer, with retries short enough for a command line: a namespace that does not answer is
    /// reported within about half a minute.
    /// </summary>
    public static EventHubProducerClient Producer(string connectionString, string hub) =>
        new(connectionString, hub, new EventHubProducerClientOptions
        {
            RetryOptions = new EventHubsRetryOptions { MaximumRetries = 2, TryTimeout = TimeSpan.FromSeconds(10) },
        });

    private static async Task Observe(Task run)
    {
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int Summarize(PublishStats stats, List<string> rejected)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("sent").AddColumn("failed").AddColumn("skipped").AddColumn("elapsed").AddColumn("rate");
        table.AddRow($"{stats.SentCount:N0}", $"{stats.FailedCount:N0}", $"{rejected.Count:N0}", $"{stats.Elapsed.TotalSeconds:0.0} s", $"{stats.Rate:0.0}/s");
        AnsiConsole.Write(table);
        foreach (var reason in rejected.Take(10))
        {
            AnsiConsole.MarkupLine($"[yellow]skipped[/] {Markup.Escape(reason)}");
        }

        if (stats.LastError is { } error)
        {
            AnsiConsole.MarkupLine($"[red]last error:[/] {Markup.Escape(error)}");
        }

        return stats.FailedCount > 0 || rejected.Count > 0 ? 1 : 0;
    }
}
