using System.Diagnostics;
using System.Text;
using Serverless.EventHubs.Client;

namespace Serverless.Cli.Publish;

/// <summary>
/// Sends updates to a hub at a steady rate (per second; 0 for as fast as the hub takes them), in batches: each tick
/// sends what is due, one batch per channel, with the channel as the partition key so that its updates keep order.
/// </summary>
public sealed class RatePublisher(EventHubProducer producer, double rate, long? count)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private const int MaxPerTick = 2000;

    public PublishStats Stats { get; } = new();

    public async Task RunAsync(IAsyncEnumerable<OutgoingUpdate> updates, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var source = updates.GetAsyncEnumerator(cancellationToken);
        var pending = new List<OutgoingUpdate>();
        var taken = 0L;
        var exhausted = false;
        while (!exhausted && !cancellationToken.IsCancellationRequested && (count is null || taken < count))
        {
            var due = rate <= 0 ? MaxPerTick : (long)(rate * clock.Elapsed.TotalSeconds) + 1 - taken;
            due = Math.Min(Math.Min(due, MaxPerTick), (count ?? long.MaxValue) - taken);
            pending.Clear();
            while (pending.Count < due && !(exhausted = !await source.MoveNextAsync()))
            {
                pending.Add(source.Current);
            }

            taken += pending.Count;
            await SendAsync(pending);
            if (rate > 0 && !exhausted)
            {
                var next = TimeSpan.FromSeconds((taken + 1) / rate) - clock.Elapsed;
                await Task.Delay(next > Tick ? Tick : next > TimeSpan.Zero ? next : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(List<OutgoingUpdate> updates)
    {
        foreach (var channel in updates.GroupBy(u => u.PartitionKey))
        {
            var events = channel.Select(u => new EventData(Encoding.UTF8.GetBytes(u.Body))).ToArray();
            try
            {
                await producer.SendAsync(events, partitionKey: channel.Key);
                Stats.Sent(events.Length);
            }
            catch (Exception ex) when (ex is Amqp.AmqpException or IOException or TimeoutException or InvalidOperationException)
            {
                Stats.Failed(events.Length, ex.Message);
            }
        }
    }
}

/// <summary>What a publisher did so far; read while it runs.</summary>
public sealed class PublishStats
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long sent;
    private long failed;

    public long SentCount => Interlocked.Read(ref sent);
    public long FailedCount => Interlocked.Read(ref failed);
    public string? LastError { get; private set; }
    public TimeSpan Elapsed => clock.Elapsed;
    public double Rate => SentCount / Math.Max(clock.Elapsed.TotalSeconds, 0.001);

    public void Sent(int n) => Interlocked.Add(ref sent, n);

    public void Failed(int n, string error)
    {
        Interlocked.Add(ref failed, n);
        LastError = error;
    }
}
