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
/// (<c>POST /api/negotiate</c> answers the redirect to SignalR Service), connects on the chosen transport and protocol,
/// and subscribes to channels through <c>POST /api/subscriptions</c>. Messages on <c>updates</c> are queued as
/// <see cref="UpdateMessage"/>s.
/// </summary>
public sealed class UpdatesClient : IAsyncDisposable
{
    private readonly Channel<UpdateMessage> messages = Channel.CreateUnbounded<UpdateMessage>();
    private readonly HttpClient functionApp;

    private UpdatesClient(HubConnection connection, HttpClient functionApp)
    {
        Connection = connection;
        this.functionApp = functionApp;
        // Received as a plain object, as either protocol gives it, then read as the contract's record.
        connection.On<object>(UpdateMessage.Target, message => messages.Writer.TryWrite(ToJson(message).Deserialize<UpdateMessage>(UpdatesApi.Json)!));
    }

    public HubConnection Connection { get; }

    /// <summary>Every message on <c>updates</c>, in the order they arrived.</summary>
    public ChannelReader<UpdateMessage> Messages => messages.Reader;

    public string ConnectionId => Connection.ConnectionId ?? throw new InvalidOperationException("not connected");

    public static async Task<UpdatesClient> ConnectAsync(HttpClient functionApp, HttpTransportType transport = HttpTransportType.WebSockets,
        bool messagePack = false, IDictionary<string, string>? headers = null, Action<IHubConnectionBuilder>? configure = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(functionApp.BaseAddress!, ApiRoutes.Hub), options =>
        {
            options.Transports = transport;
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
        var client = new UpdatesClient(builder.Build(), functionApp);
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Joins the channels' groups; answers each channel's epoch and head.</summary>
    public Task<SubscribeResponse> SubscribeAsync(params string[] channels) => UpdatesApi.SubscribeAsync(functionApp, ConnectionId, channels);

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

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
