using System.Diagnostics;
using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Serverless.EventHubs;

namespace Serverless.Local.Publishing;

/// <summary>
/// Sends updates to a hub at a steady rate (per second; 0 for as fast as the hub takes them), in batches: each tick
/// sends what is due, one batch per Event Hubs partition, each update in the partition its channel (the partition key)
/// hashes to, as the service would place a keyed send (<see cref="PartitionKeys"/>), so that a channel's updates keep
/// order and a tick over many channels costs a few sends, not one per channel. Until the hub's partitions are known,
/// each channel is sent on its own with its key. Sends go through the official client, which retries what the service
/// refuses for a while; what still fails is counted.
/// With a <see cref="PublishJournal"/>, each batch is recorded before it is sent and confirmed after, and a batch that
/// fails is sent again (after a pause) until the hub takes it: nothing is dropped, and a channel's order holds.
/// </summary>
public sealed class RatePublisher(EventHubProducerClient producer, double rate, long? count, PublishJournal? journal = null)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private const int MaxPerTick = 2000;

    private string[]? partitionIds;

    public PublishStats Stats { get; } = new();

    public async Task RunAsync(IAsyncEnumerable<OutgoingUpdate> updates, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var source = updates.GetAsyncEnumerator(cancellationToken);
        var pending = new List<OutgoingUpdate>();
        var taken = 0L;
        var exhausted = false;
        Task<bool>? waiting = null;
        try
        {
            while (!exhausted && !cancellationToken.IsCancellationRequested && (count is null || taken < count))
            {
                var due = rate <= 0 ? MaxPerTick : (long)(rate * clock.Elapsed.TotalSeconds) + 1 - taken;
                due = Math.Min(Math.Min(due, MaxPerTick), (count ?? long.MaxValue) - taken);
                pending.Clear();
                while (pending.Count < due)
                {
                    var next = waiting is null ? source.MoveNextAsync() : new ValueTask<bool>(waiting);
                    waiting = null;
                    if (!next.IsCompleted && pending.Count > 0)
                    {
                        // A live source (a pipe, a feed) that has nothing more for a tick: send what it gave instead of
                        // holding it until a tick's worth has arrived. A file's next read comes well within the tick.
                        var read = next.AsTask();
                        if (await Task.WhenAny(read, Task.Delay(Tick, cancellationToken)) != read)
                        {
                            waiting = read;
                            break;
                        }

                        next = new ValueTask<bool>(read);
                    }

                    if (!await next)
                    {
                        exhausted = true;
                        break;
                    }

                    pending.Add(source.Current);
                }

                taken += pending.Count;
                // Everything taken from the source is recorded before any of it is sent, so that a publisher killed
                // while channels send side by side resends all it took and a numbered source resumes without a hole.
                journal?.Attempting(pending);
                await SendAsync(pending, cancellationToken);
                if (rate > 0 && !exhausted)
                {
                    var wait = TimeSpan.FromSeconds((taken + 1) / rate) - clock.Elapsed;
                    await Task.Delay(wait > Tick ? Tick : wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // The source can't be disposed while it is still reading (cancelled with the token, so this ends).
            if (waiting is not null)
            {
                try
                {
                    await waiting;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    // Partitions are sent side by side; a partition's own batches go one after the other, so that its channels' order
    // holds. Updates without a channel go where the hub puts them.
    private async Task SendAsync(List<OutgoingUpdate> updates, CancellationToken cancellationToken)
    {
        var partitions = await PartitionIdsAsync(cancellationToken);
        await Task.WhenAll(updates.GroupBy(u => TargetOf(u, partitions)).Select(target => SendToAsync(target.Key, [.. target], cancellationToken)));
    }

    private static SendTarget TargetOf(OutgoingUpdate update, string[]? partitions) => (update.PartitionKey, partitions) switch
    {
        (null, _) => new SendTarget(null, null),
        (var key, null) => new SendTarget(null, key),
        (var key, var ids) => new SendTarget(ids[PartitionKeys.PartitionIndex(key, ids.Length)], null),
    };

    // The hub's partitions, asked once; null while the hub does not answer (the next tick asks again).
    private async Task<string[]?> PartitionIdsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return partitionIds ??= await producer.GetPartitionIdsAsync(cancellationToken);
        }
        catch (Exception ex) when (IsSendFailure(ex, cancellationToken))
        {
            return null;
        }
    }

    private async Task SendToAsync(SendTarget target, List<OutgoingUpdate> events, CancellationToken cancellationToken)
    {
        var sent = 0;
        try
        {
            while (sent < events.Count)
            {
                var added = await RetryingAsync(() => SendBatchAsync(target, events, sent), cancellationToken);
                if (added == 0)
                {
                    Stats.Failed(1, $"an update of {Encoding.UTF8.GetByteCount(events[sent].Body)} bytes is larger than the hub takes");
                    sent++;
                    continue;
                }

                Stats.Sent(added);
                sent += added;
            }
        }
        catch (Exception ex) when (IsSendFailure(ex, cancellationToken))
        {
            Stats.Failed(events.Count - sent, ex.Message);
        }
    }

    /// <summary>One batch of as many as fit from <paramref name="from"/> on (the hub's message size limit), confirmed in the journal after it goes.</summary>
    private async Task<int> SendBatchAsync(SendTarget target, List<OutgoingUpdate> events, int from)
    {
        using var send = PublishTracing.StartSend(target.PartitionId);
        using var batch = await producer.CreateBatchAsync(new CreateBatchOptions { PartitionId = target.PartitionId, PartitionKey = target.PartitionKey });
        var added = 0;
        while (from + added < events.Count && batch.TryAdd(new EventData(Encoding.UTF8.GetBytes(events[from + added].Body)).Traced(send)))
        {
            added++;
        }

        if (added > 0)
        {
            PublishTracing.SetChannels(send, events.Skip(from).Take(added).Select(e => e.PartitionKey));
            await producer.SendAsync(batch);
            journal?.Confirmed(events.GetRange(from, added));
        }

        return added;
    }

    // Without a journal a failed send is counted; with one, it is tried again until it goes through (or the run stops).
    private async Task<int> RetryingAsync(Func<Task<int>> send, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await send();
            }
            catch (Exception ex) when (journal is not null && IsSendFailure(ex, cancellationToken))
            {
                Stats.Retried(ex.Message);
                await Task.Delay(RetryPause, cancellationToken);
            }
        }
    }

    // The AMQP library cancels a send whose connection closes under it: that is a failure, unless the run was stopped.
    private static bool IsSendFailure(Exception ex, CancellationToken cancellationToken) => !cancellationToken.IsCancellationRequested
        && ex is EventHubsException or IOException or System.Net.Sockets.SocketException or TimeoutException or UnauthorizedAccessException
            or InvalidOperationException or OperationCanceledException;
}

/// <summary>Where a batch goes: a partition, or (while the partitions are unknown) the partition of a key, or where the hub puts it.</summary>
internal readonly record struct SendTarget(string? PartitionId, string? PartitionKey);

/// <summary>What a publisher did so far; read while it runs.</summary>
public sealed class PublishStats
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long sent;
    private long failed;
    private long retried;

    public long SentCount => Interlocked.Read(ref sent);
    public long FailedCount => Interlocked.Read(ref failed);
    public string? LastError { get; private set; }
    public TimeSpan Elapsed => clock.Elapsed;
    public double Rate => SentCount / Math.Max(clock.Elapsed.TotalSeconds, 0.001);

    public long RetriedCount => Interlocked.Read(ref retried);

    public void Sent(int n) => Interlocked.Add(ref sent, n);

    public void Retried(string error)
    {
        Interlocked.Increment(ref retried);
        LastError = error;
    }

    public void Failed(int n, string error)
    {
        Interlocked.Add(ref failed, n);
        LastError = error;
    }
}
