using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Contracts.Api;
using Serverless.Contracts.Push;

namespace Serverless.Updates.Client;

/// <summary>
/// A client as a web page is one: the official SignalR .NET client negotiates through the function app
/// (<c>POST /api/negotiate</c> answers the redirect to SignalR Service) as the caller whose bearer token the function
/// app's <see cref="HttpClient"/> carries (none: anonymous), connects on the chosen transport and protocol, and
/// subscribes to channels through <c>POST /api/subscriptions</c>, renewing its subscriptions before they lapse.
/// Messages on <c>updates</c> are queued as <see cref="UpdateMessage"/>s.
/// </summary>
public sealed class UpdatesClient : IAsyncDisposable
{
    private readonly Channel<UpdateMessage> messages = Channel.CreateUnbounded<UpdateMessage>();
    private readonly HttpClient functionApp;
    private readonly NegotiatedUser negotiated;
    private readonly HashSet<string> subscribed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource closing = new();
    private Task renewals = Task.CompletedTask;

    private UpdatesClient(HubConnection connection, HttpClient functionApp, NegotiatedUser negotiated)
    {
        Connection = connection;
        this.functionApp = functionApp;
        this.negotiated = negotiated;
        // Received as a plain object, as either protocol gives it, then read as the contract's record.
        connection.On<object>(UpdateMessage.Target, message => messages.Writer.TryWrite(ToJson(message).Deserialize<UpdateMessage>(UpdatesApi.Json)!));
    }

    public HubConnection Connection { get; }

    /// <summary>Every message on <c>updates</c>, in the order they arrived.</summary>
    public ChannelReader<UpdateMessage> Messages => messages.Reader;

    public string ConnectionId => Connection.ConnectionId ?? throw new InvalidOperationException("not connected");

    /// <summary>The SignalR user the last negotiate named: the caller's own id, or a new anonymous id.</summary>
    public string? UserId => negotiated.UserId;

    /// <summary>A subscription that could not be renewed (the caller may no longer follow a channel, say).</summary>
    public event Action<Exception>? RenewalFailed;

    public static async Task<UpdatesClient> ConnectAsync(HttpClient functionApp, HttpTransportType transport = HttpTransportType.WebSockets,
        bool messagePack = false, IDictionary<string, string>? headers = null, Action<IHubConnectionBuilder>? configure = null)
    {
        var negotiated = new NegotiatedUser();
        var builder = new HubConnectionBuilder().WithUrl(new Uri(functionApp.BaseAddress!, ApiRoutes.Hub), options =>
        {
            options.Transports = transport;
            // The caller's token goes to the function app's negotiate; the redirect then brings the service's own.
            options.AccessTokenProvider = () => Task.FromResult(functionApp.DefaultRequestHeaders.Authorization?.Parameter);
            options.HttpMessageHandlerFactory = negotiated.Observe;
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                options.Headers[name] = value;
            }
        });
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        configure?.Invoke(builder);
        var client = new UpdatesClient(builder.Build(), functionApp, negotiated);
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>
    /// Joins the channels' groups as the negotiated user; answers each channel's epoch and head. The client renews its
    /// subscriptions half-way through their lifetime for as long as it lives (docs/client-rules.md).
    /// </summary>
    public async Task<SubscribeResponse> SubscribeAsync(params string[] channels)
    {
        var answer = await UpdatesApi.SubscribeAsync(functionApp, UserId, channels);
        lock (subscribed)
        {
            subscribed.UnionWith(channels);
            if (renewals.IsCompleted)
            {
                renewals = RenewAsync(TimeSpan.FromSeconds(answer.ExpiresInSeconds / 2.0));
            }
        }

        return answer;
    }

    private async Task RenewAsync(TimeSpan every)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(closing.Token))
            {
                string[] channels;
                lock (subscribed)
                {
                    channels = [.. subscribed];
                }

                try
                {
                    await UpdatesApi.SubscribeAsync(functionApp, UserId, channels, closing.Token);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !closing.IsCancellationRequested)
                {
                    // Refused, or the function app did not answer in time (it may be restarting): the next tick tries again.
                    RenewalFailed?.Invoke(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The next message on <c>updates</c>, or a timeout.</summary>
    public async Task<UpdateMessage> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            return await messages.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no message on 'updates' within {(timeout ?? TimeSpan.FromSeconds(15)).TotalSeconds} s");
        }
    }

    /// <summary>Whatever has arrived and not been read yet.</summary>
    public List<UpdateMessage> Drain()
    {
        var drained = new List<UpdateMessage>();
        while (messages.Reader.TryRead(out var message))
        {
            drained.Add(message);
        }

        return drained;
    }

    /// <summary>Listens for another client method as well, as JSON.</summary>
    public ChannelReader<JsonElement> Listen(string method)
    {
        var channel = Channel.CreateUnbounded<JsonElement>();
        Connection.On<object>(method, message => channel.Writer.TryWrite(ToJson(message)));
        return channel.Reader;
    }

    // The JSON protocol hands over a JsonElement, MessagePack a tree of dictionaries and arrays: both become JSON.
    public static JsonElement ToJson(object? message) => message is JsonElement element ? element.Clone() : JsonSerializer.SerializeToElement(Plain(message));

    private static object? Plain(object? value) => value switch
    {
        IDictionary<object, object> map => map.ToDictionary(p => p.Key.ToString()!, p => Plain(p.Value)),
        object[] items => items.Select(Plain).ToArray(),
        _ => value,
    };

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        await renewals;
        await Connection.DisposeAsync();
        closing.Dispose();
    }
}
