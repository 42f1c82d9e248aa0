using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.Updates.Client;

/// <summary>
/// A client as a web page is one: the official SignalR .NET client negotiates through the function app
/// (<c>POST /api/negotiate</c> answers the redirect to SignalR Service), connects on the chosen transport and protocol,
/// and subscribes to channels through <c>POST /api/subscriptions</c>. Messages on <c>updates</c> are queued as JSON.
/// </summary>
public sealed class UpdatesClient : IAsyncDisposable
{
    private readonly Channel<JsonElement> messages = Channel.CreateUnbounded<JsonElement>();
    private readonly HttpClient functionApp;

    private UpdatesClient(HubConnection connection, HttpClient functionApp)
    {
        Connection = connection;
        this.functionApp = functionApp;
        connection.On<object>("updates", message => messages.Writer.TryWrite(ToJson(message)));
    }

    public HubConnection Connection { get; }

    /// <summary>Every message on <c>updates</c>, in the order they arrived.</summary>
    public ChannelReader<JsonElement> Messages => messages.Reader;

    public string ConnectionId => Connection.ConnectionId ?? throw new InvalidOperationException("not connected");

    public static async Task<UpdatesClient> ConnectAsync(HttpClient functionApp, HttpTransportType transport = HttpTransportType.WebSockets,
        bool messagePack = false, IDictionary<string, string>? headers = null, Action<IHubConnectionBuilder>? configure = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(functionApp.BaseAddress!, "api"), options =>
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

    /// <summary>Joins the channels' groups; answers the function app's <c>{connectionId, channels:[{channel, epoch, head}]}</c>.</summary>
    public async Task<JsonElement> SubscribeAsync(params string[] channels)
    {
        using var response = await functionApp.PostAsJsonAsync("api/subscriptions", new { connectionId = ConnectionId, channels });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"subscribe answered {(int)response.StatusCode}: {body}");
        }

        return body;
    }

    /// <summary>The next message on <c>updates</c>, or a timeout.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
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
    public List<JsonElement> Drain()
    {
        var drained = new List<JsonElement>();
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
