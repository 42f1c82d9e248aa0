using System.CommandLine;
using Azure.Messaging.EventHubs.Producer;
using Serverless.Cli.Telemetry;
using Serverless.Contracts.Settings;

namespace Serverless.Cli.Demo;

/// <summary>
/// <c>demo</c>: the demo feed alone, to the Event Hubs of <c>$EventHubConnection</c> (else the local one), until
/// stopped; the AppHost runs it beside the pipeline. Its sends are traced when an OTLP endpoint is set.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var rate = new Option<double>("--rate") { Description = "Demo updates per second.", DefaultValueFactory = _ => 5 };
        var hub = new Option<string>("--hub") { Description = "The event hub.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.EventHubName) ?? SettingDefaults.EventHubName };
        var command = new Command("demo", "Publish demo updates (prices and order states) until stopped.") { rate, hub };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var tracing = PublisherTelemetry.Start();
            var connection = Environment.GetEnvironmentVariable(SettingNames.EventHubConnection) ?? SettingDefaults.LocalEventHubConnection();
            await using var producer = new EventHubProducerClient(connection, result.GetValue(hub));
            try
            {
                await DemoFeed.RunAsync(producer, result.GetValue(rate), Console.WriteLine, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }
}
