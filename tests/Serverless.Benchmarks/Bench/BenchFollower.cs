using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Serverless.Contracts.Api;
using Serverless.Updates.Client;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// The bench's subscribed client: the official SignalR .NET client over WebSockets, joined to every channel of a
/// workload, following each with the client rules (a gap is fetched from storage). It notes when each update arrived
/// and how long after its CloudEvents <c>time</c>, and tells when every channel has reached its expected head.
/// </summary>
public sealed class BenchFollower : IAsyncDisposable
{
    private readonly Dictionary<string, ChannelFollower> followers;
    private readonly ConcurrentQueue<TimeSpan> latencies = new();
    private readonly CancellationTokenSource stop = new();
    private UpdatesClient? client;
    private Task pump = Task.CompletedTask;
    private long applied;
    private long fetched;
    private long lastAppliedTicks;

    private BenchFollower(HttpClient api, IReadOnlyList<string> channels) =>
        followers = channels.ToDictionary(c => c, c => new ChannelFollower(api, c, OnApplied, keepHistory: false));

    public long Applied => Interlocked.Read(ref applied);
    public long Fetched => Interlocked.Read(ref fetched);
    public DateTimeOffset LastApplied => new(Interlocked.Read(ref lastAppliedTicks), TimeSpan.Zero);

    /// <summary>From each pushed update's CloudEvents <c>time</c> to its arrival here (fetched ones are not counted).</summary>
    public IReadOnlyCollection<TimeSpan> Latencies => latencies;

    public static async Task<BenchFollower> StartAsync(HttpClient api, IReadOnlyList<string> channels)
    {
        var follower = new BenchFollower(api, channels);
        follower.client = await UpdatesClient.ConnectAsync(api, HttpTransportType.WebSockets);
        foreach (var chunk in channels.Chunk(SubscribeRequest.MaxChannels))
        {
            var answer = await follower.client.SubscribeAsync(chunk);
            foreach (var position in answer.Channels)
            {
                await follower.followers[position.Channel].CatchUpAsync(position.Epoch, position.Head);
            }
        }

        follower.pump = follower.PumpAsync();
        return follower;
    }

    /// <summary>Forgets what was measured so far (after a warm-up).</summary>
    public void ResetMeasurements() => latencies.Clear();

    /// <summary>Waits until every channel's last applied update is at least its expected head.</summary>
    public async Task WaitForHeadsAsync(IReadOnlyDictionary<string, long> heads, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (heads.Any(h => followers[h.Key].Last < h.Value))
        {
            await Task.Delay(20, limit.Token);
        }
    }

    /// <summary>Channels whose followers are not at their expected heads, and where they are.</summary>
    public IEnumerable<string> Behind(IReadOnlyDictionary<string, long> heads) =>
        heads.Where(h => followers[h.Key].Last != h.Value).Select(h => $"{h.Key} at {followers[h.Key].Last} of {h.Value}");

    private void OnApplied(UpdateItem update, bool wasFetched)
    {
        var now = DateTimeOffset.UtcNow;
        Interlocked.Increment(ref applied);
        Interlocked.Exchange(ref lastAppliedTicks, now.UtcTicks);
        if (wasFetched)
        {
            Interlocked.Increment(ref fetched);
        }
        else if (update.Time is { } time)
        {
            latencies.Enqueue(now - time);
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var message in client!.Messages.ReadAllAsync(stop.Token))
            {
                if (followers.TryGetValue(message.Channel, out var follower))
                {
                    await follower.ApplyAsync(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        await pump;
        if (client is not null)
        {
            await client.DisposeAsync();
        }
    }
}
