using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http.Connections;
using Serverless.Contracts.Api;
using Serverless.Contracts.Push;
using Serverless.Contracts.Settings;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests;

/// <summary>
/// One real Azurite, one local SignalR Service and the function app (a real worker under the host stand-in) for the
/// tests that share them, and the app's Ingest steps in process for batches at chosen Event Hubs positions.
/// Tests keep apart by using channels of their own.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public const string AllowedTypes = "com.example.*";
    public const int MaxEventBytes = 4096;

    public AzuriteServer Azurite { get; private set; } = null!;
    public SignalRServiceServer SignalR { get; private set; } = null!;
    public EventHubsServer EventHubs { get; private set; } = null!;
    public FunctionAppServer App { get; private set; } = null!;
    public InProcessIngest Ingest { get; private set; } = null!;
    public Dictionary<string, string?> Settings { get; private set; } = null!;
    public HttpClient Http => App.Http;

    /// <summary>Small, so that tests reach past it.</summary>
    public const int DedupWindow = 16;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        SignalR = await SignalRServiceServer.StartAsync();
        // The app's own Event Hubs, so that its trigger never reads a hub some other run left on the default port.
        EventHubs = await EventHubsServer.StartAsync(new Serverless.EventHubs.HubOptions { Name = "updates", Partitions = 2, ConsumerGroups = ["ingest"] });
        var settings = FunctionAppServer.Settings(Azurite.ConnectionString, SignalR.ConnectionString, EventHubs.ConnectionString);
        settings[SettingNames.AllowedChannels] = "test.*, big.*, order.*, prices.*, orders.*, users.*";
        settings[SettingNames.AllowedTypes] = AllowedTypes;
        settings[SettingNames.MaxEventBytes] = MaxEventBytes.ToString();
        settings[SettingNames.DeadLetterBodyBytes] = "1024";
        settings[SettingNames.DedupWindow] = $"{DedupWindow}";
        Settings = settings;
        Ingest = new InProcessIngest(settings);
        App = await FunctionAppServer.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Ingest.DisposeAsync();
        await EventHubs.DisposeAsync();
        await SignalR.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    public TableClient Table(string name) => new TableServiceClient(Azurite.ConnectionString).GetTableClient(name);

    /// <summary>Runs a batch through Ingest's steps, as one invocation would.</summary>
    public Task<Serverless.Pipeline.Ingest.IngestResult> IngestAsync(IReadOnlyList<Serverless.Pipeline.Ingest.EventBody> batch) => Ingest.RunAsync(batch);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    /// <summary>A successful answer of the function app, read as the contract's record.</summary>
    public async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(UpdatesApi.Json))!;
    }

    /// <summary>Every stored update of a channel, read through the Updates function page by page.</summary>
    public Task<List<UpdateItem>> ReadAllAsync(string channel) => UpdatesApi.ReadLogAsync(Http, channel);

    /// <summary>A client connected through the app's negotiate and subscribed to <paramref name="channels"/>, as the operator.</summary>
    public Task<UpdatesClient> SubscribedClientAsync(params string[] channels) => SubscribedClientAsync(Http, channels);

    /// <summary>
    /// The same as another user with the operator's role: a user's connections share their subscriptions
    /// (docs/identity.md#connections-belong-to-users), so connections that must differ belong to different users.
    /// </summary>
    public Task<UpdatesClient> SubscribedClientAsAsync(string user, params string[] channels) =>
        SubscribedClientAsync(new HttpClient { BaseAddress = App.BaseAddress }.As(TestCallers.OperatorToken(user)), channels);

    private static async Task<UpdatesClient> SubscribedClientAsync(HttpClient api, string[] channels)
    {
        var client = await UpdatesClient.ConnectAsync(api, HttpTransportType.WebSockets);
        await client.SubscribeAsync(channels);
        return client;
    }

    /// <summary>The updates of one pushed message as (seq, id) pairs.</summary>
    public static List<(long Seq, string Id)> Updates(UpdateMessage message) => [.. message.Updates.Select(u => (u.Seq, u.Id))];
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline";
}
