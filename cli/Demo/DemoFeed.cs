using Azure.Messaging.EventHubs.Producer;
using Serverless.Local.Demo;
using Serverless.Local.Publishing;

namespace Serverless.Cli.Demo;

/// <summary>The demo feed: prices and order states at a steady rate, until stopped, with a line on how it goes every 10 s.</summary>
internal static class DemoFeed
{
    public static async Task RunAsync(EventHubProducerClient producer, double rate, Action<string> report, CancellationToken cancellationToken)
    {
        var publisher = new RatePublisher(producer, rate, count: null);
        report($"Demo feed: {rate:0.#} updates/s to {string.Join(", ", UpdateGenerator.Channels)}.");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        var reporting = ReportAsync(publisher.Stats, timer, report, cancellationToken);
        try
        {
            await publisher.RunAsync(UpdateSource.GenerateAsync(new UpdateGenerator().Next, cancellationToken), cancellationToken);
        }
        finally
        {
            await reporting;
        }
    }

    private static async Task ReportAsync(PublishStats stats, PeriodicTimer timer, Action<string> report, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var failed = stats.FailedCount > 0 ? $", {stats.FailedCount} failed ({stats.LastError})" : "";
                report($"{DateTime.Now:HH:mm:ss} demo: {stats.SentCount:N0} sent ({stats.Rate:0.0}/s){failed}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
