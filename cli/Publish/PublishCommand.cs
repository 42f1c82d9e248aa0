using System.CommandLine;
using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Cli.Telemetry;
using Serverless.Contracts.Settings;
using Serverless.Local.Demo;
using Serverless.Local.Publishing;
using Spectre.Console;

namespace Serverless.Cli.Publish;

/// <summary><c>publish</c>: sends CloudEvents from a file, stdin or the demo generator to Event Hubs at a chosen rate.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file", "-f") { Description = "CloudEvents to send: one JSON object per line, or a JSON array. '-' reads stdin." };
        var generate = new Option<bool>("--generate") { Description = "Send demo updates (prices and order states); the default without --file or --load." };
        var load = new Option<int?>("--load") { Description = "Send synthetic load over this many channels (load.000, load.001, …), with keys and rising versions." };
        var journal = new Option<string?>("--journal") { Description = "A folder recording what is sent and confirmed: a batch that fails is tried again until the hub takes it, and a publisher started again on the same folder first resends what it never saw confirmed (and --load goes on with its numbering)." };
        var rate = new Option<double>("--rate") { Description = "Updates per second; 0 sends as fast as the hub takes them.", DefaultValueFactory = _ => 10 };
        var count = new Option<long?>("--count", "-n") { Description = "How many to send (default: the whole file, or 100 generated)." };
        var connection = new Option<string?>("--connection") { Description = "Event Hubs connection string (default: $EventHubConnection, else the local Event Hubs)." };
        var eventHubsNamespace = new Option<string?>("--namespace") { Description = "An Event Hubs namespace, <name>.servicebus.windows.net, to send to as you: signed in with Microsoft Entra ID (az login, environment variables or a managed identity), with the role Azure Event Hubs Data Sender. The deployed stack takes no keys." };
        var hub = new Option<string>("--hub") { Description = "The event hub.", DefaultValueFactory = _ => "updates" };
        var command = new Command("publish", "Send updates to Event Hubs, each with its channel (subject) as the partition key.")
        {
            file, generate, load, journal, rate, count, connection, eventHubsNamespace, hub,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file);
            var channels = result.GetValue(load);
            if (new[] { path is not null, result.GetValue(generate), channels is not null }.Count(chosen => chosen) > 1)
            {
                AnsiConsole.MarkupLine("[red]Choose one source:[/] --file, --generate or --load.");
                return 2;
            }

            if (channels is < 1 or > 1000)
            {
                AnsiConsole.MarkupLine("[red]--load takes 1 to 1000 channels.[/]");
                return 2;
            }

            if (path is not null && path != "-" && !File.Exists(path))
            {
                AnsiConsole.MarkupLine($"[red]No such file:[/] {Markup.Escape(path)}");
                return 2;
            }

            var target = result.GetValue(eventHubsNamespace) is { Length: > 0 } fullyQualified
                ? new EventHubsTarget(null, fullyQualified)
                : new EventHubsTarget(result.GetValue(connection) ?? Environment.GetEnvironmentVariable(SettingNames.EventHubConnection) ?? SettingDefaults.LocalEventHubConnection(), null);
            var limit = result.GetValue(count) ?? (path is null && channels is null ? 100 : null);
            return await RunAsync(target, result.GetValue(hub)!, path, channels, result.GetValue(journal), result.GetValue(rate), limit, cancellationToken);
        });
        return command;
    }

    /// <summary>Where to send: by connection string (locally, or a namespace that still has keys), or by namespace as the signed-in user.</summary>
    private sealed record EventHubsTarget(string? ConnectionString, string? FullyQualifiedNamespace);

    private static async Task<int> RunAsync(EventHubsTarget target, string hub, string? path, int? loadChannels, string? journalFolder, double rate, long? count, CancellationToken cancellationToken)
    {
        using var tracing = PublisherTelemetry.Start();
        EventHubProducerClient producer;
        try
        {
            producer = target.FullyQualifiedNamespace is { } fullyQualified
                ? new EventHubProducerClient(fullyQualified, hub, new DefaultAzureCredential(), ProducerOptions)
                : Producer(target.ConnectionString!, hub);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            AnsiConsole.MarkupLine($"[red]Not an Event Hubs connection string or namespace:[/] {Markup.Escape(ex.Message)}");
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
        using var journal = journalFolder is null ? null : PublishJournal.Open(journalFolder);
        var updates = (reader, loadChannels) switch
        {
            ({ } text, _) => UpdateSource.ReadAsync(text, rejected.Add, cancellationToken),
            (null, { } channels) => UpdateSource.GenerateAsync(LoadSource(channels, journal).Next, cancellationToken),
            _ => UpdateSource.GenerateAsync(new UpdateGenerator().Next, cancellationToken),
        };
        if (journal is { Unconfirmed.Count: > 0 })
        {
            AnsiConsole.MarkupLine($"Resending {journal.Unconfirmed.Count:N0} update(s) the journal never saw confirmed.");
            updates = UpdateSource.Concat(journal.Unconfirmed, updates);
        }

        var publisher = new RatePublisher(producer, rate, count, journal);
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

    // A load run with a journal goes on with its numbering; without one, a new run tag keeps it apart from others.
    private static LoadGenerator LoadSource(int channels, PublishJournal? journal) => journal is null
        ? new LoadGenerator(channels, Guid.NewGuid().ToString("N")[..8])
        : new LoadGenerator(channels, journal.Run, LoadGenerator.NextNumber(journal.Run, journal.Attempted.Select(u => u.Id)));

    /// <summary>
    /// The official producer, with retries short enough for a command line: a namespace that does not answer is
    /// reported within about half a minute.
    /// </summary>
    public static EventHubProducerClient Producer(string connectionString, string hub) => new(connectionString, hub, ProducerOptions);

    private static EventHubProducerClientOptions ProducerOptions => new()
    {
        RetryOptions = new EventHubsRetryOptions { MaximumRetries = 2, TryTimeout = TimeSpan.FromSeconds(10) },
    };

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
