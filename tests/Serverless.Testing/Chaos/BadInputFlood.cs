using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace Serverless.Testing.Chaos;

/// <summary>
/// Bad events (<see cref="BadEvents"/>) sent beside a fault run's load with the official producer, evenly over a
/// time, in batches; a batch the hub refuses (a part is down) is sent again. What was sent is what the run expects to
/// find: each bad event dead-lettered with its reason, each good one stored.
/// </summary>
public sealed class BadInputFlood(string connectionString, string hub, int count)
{
    private const int BatchBodies = 20;
    private readonly List<FloodBody> sent = [];
    private int ambiguous;
    private readonly BadEvents generator = new(Guid.NewGuid().ToString("N")[..8], Serverless.Contracts.Settings.SettingDefaults.MaxEventBytes);

    public IReadOnlyList<string> Channels => generator.Channels;

    /// <summary>Every event of the bodies the hub took, and what must become of it.</summary>
    public IReadOnlyList<ExpectedOutcome> Expected => [.. sent.SelectMany(b => b.Outcomes)];

    /// <summary>
    /// Events sent again after a send whose outcome was unknown (the hub went away before it answered): each may have
    /// been taken twice, and a bad one dead-lettered twice (at two places in the hub).
    /// </summary>
    public int Ambiguous => ambiguous;

    public async Task RunAsync(TimeSpan over, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        await using var producer = new EventHubProducerClient(connectionString, hub,
            new EventHubProducerClientOptions { RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(5) } });
        var batches = generator.Generate(count).Chunk(BatchBodies).ToList();
        var pause = over / Math.Max(1, batches.Count);
        foreach (var batch in batches)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await producer.SendAsync(batch.Select(b => new EventData(b.Body)), new SendEventOptions { PartitionKey = BadEvents.PartitionKey }, CancellationToken.None);
                    sent.AddRange(batch);
                    break;
                }
                catch (Exception ex) when (ex is EventHubsException or IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or InvalidOperationException)
                {
                    if (ex is TimeoutException or OperationCanceledException or EventHubsException { Reason: EventHubsException.FailureReason.ServiceTimeout })
                    {
                        ambiguous += batch.Sum(b => b.Outcomes.Count);
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }

            try
            {
                await Task.Delay(pause, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
