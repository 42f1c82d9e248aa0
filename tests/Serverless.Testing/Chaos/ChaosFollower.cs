using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Serverless.Updates.Client;

namespace Serverless.Testing.Chaos;

/// <summary>
/// A .NET client that follows channels for as long as a fault run lasts, as <c>tail</c> does: negotiate through the
/// function app, subscribe, apply pushes with the client rules, and after every reconnect subscribe again and catch up.
/// It records what it applied per channel, and when the last push arrived.
/// </summary>
public sealed class ChaosFollower : IChaosFollower
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(long Seq, long N)>> applied = new();
    private readonly Dictionary<string, ChannelFollower> followers;
    private readonly CancellationTokenSource stop = new();
    private UpdatesClient? client;
    private Task pump = Task.CompletedTask;
    private long lastPushTicks;

    private ChaosFollower(string name, HttpClient api, IReadOnlyList<string> channels)
    {
        Name = name;
        Api = api;
        followers = channels.ToDictionary(c => c, c =>
        {
            var record = applied.GetOrAdd(c, _ => new ConcurrentQueue<(long, long)>());
            return new ChannelFollower(api, c, (update, fetched) =>
            {
                record.Enqueue((update.Seq, update.Data.GetProperty("n").GetInt64()));
                if (!fetched)
                {
                    Interlocked.Exchange(ref lastPushTicks, DateTime.UtcNow.Ticks);
                }
            }, keepHistory: false);
        });
    }

    public string Name { get; }
    public IReadOnlyList<string> Channels => [.. followers.Keys];
    private HttpClient Api { get; }

    public Task<DateTime> LastPushAsync() => Task.FromResult(new DateTime(Interlocked.Read(ref lastPushTicks), DateTimeKind.Utc));

    public Task<IReadOnlyDictionary<string, (long Seq, long N)[]>> AppliedAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, (long Seq, long N)[]>>(applied.ToDictionary(a => a.Key, a => a.Value.ToArray()));

    public static async Task<ChaosFollower> StartAsync(string name, HttpClient api, HttpTransportType transport, IReadOnlyList<string> channels)
    {
        var follower = new ChaosFollower(name, api, channels);
        follower.client = await UpdatesClient.ConnectAsync(api, transport, configure: builder => builder.WithAutomaticReconnect(new RetryForever()));
        follower.client.Connection.Reconnected += _ => follower.SubscribeUntilDoneAsync();
        await follower.SubscribeUntilDoneAsync();
        follower.pump = follower.PumpAsync();
        return follower;
    }

    private async Task PumpAsync()
    {
        await foreach (var message in client!.Messages.ReadAllAsync(stop.Token))
        {
            if (followers.TryGetValue(message.Channel, out var follower))
            {
                await follower.ApplyAsync(message);
            }
        }
    }

    // A new connection is in no group: subscribe again and catch up, for as long as the connection lasts.
    private async Task SubscribeUntilDoneAsync()
    {
        while (client!.Connection.State == HubConnectionState.Connected && !stop.IsCancellationRequested)
        {
            try
            {
                var answer = await client.SubscribeAsync([.. followers.Keys]);
                foreach (var position in answer.Channels)
                {
                    await followers[position.Channel].CatchUpAsync(position.Epoch, position.Head);
                }

                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        if (client is not null)
        {
            await client.DisposeAsync();
        }

        await pump.ContinueWith(_ => { });
    }

    /// <summary>Never gives up: 0 s, then every 500 ms (a fault run wants to see recovery, not back-off).</summary>
    private sealed class RetryForever : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => retryContext.PreviousRetryCount == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(500);
    }
}
