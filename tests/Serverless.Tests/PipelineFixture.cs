using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http.Connections;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests;

/// <summary>
/// One real Azurite, one local SignalR Service and one function app for the tests that share them.
/// Tests keep apart by using channels of their own.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public const string AllowedTypes = "com.example.*";
    public const int MaxEventBytes = 4096;

    public AzuriteServer Azurite { get; private set; } = null!;
    public SignalRServiceServer SignalR { get; private set; } = null!;
    public FunctionAppServer App { get; private set; } = null!;
    public HttpClient Http => App.Http;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        SignalR = await SignalRServiceServer.StartAsync();
        var settings = FunctionAppServer.Settings(Azurite.ConnectionString, SignalR.ConnectionString);
        settings["Ingest:AllowedChannels"] = "test.*, big.*, order.*";
        settings["Ingest:AllowedTypes"] = AllowedTypes;
        settings["Ingest:MaxEventBytes"] = MaxEventBytes.ToString();
        settings["Ingest:DeadLetterBodyBytes"] = "1024";
        settings["SignalR:ClientTokenLifetime"] = "00:05:00";
        App = await FunctionAppServer.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await SignalR.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    public TableClient Table(string name) => new TableServiceClient(Azurite.ConnectionString).GetTableClient(name);

    /// <summary>Posts an invocation payload to /Ingest as the host does and returns the status and the answer.</summary>
    public async Task<(int Status, JsonElement Body)> IngestAsync(string invocation)
    {
        using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/Ingest", content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    /// <summary>Every stored update of a channel, read through the Updates function page by page.</summary>
    public async Task<List<JsonElement>> ReadAllAsync(string channel)
    {
        var all = new List<JsonElement>();
        while (true)
        {
            var page = await GetJsonAsync($"/api/channels/{channel}/updates?after={all.Count}&limit=1000");
            var updates = page.GetProperty("updates").EnumerateArray().ToList();
            all.AddRange(updates);
            if (updates.Count == 0 || all.Count >= page.GetProperty("head").GetInt64())
            {
                return all;
            }
        }
    }

    /// <summary>A client connected through the app's negotiate and subscribed to <paramref name="channels"/>.</summary>
    public async Task<UpdatesClient> SubscribedClientAsync(params string[] channels)
    {
        var client = await UpdatesClient.ConnectAsync(Http, HttpTransportType.WebSockets);
        await client.SubscribeAsync(channels);
        return client;
    }

    /// <summary>The updates of one pushed message as (seq, id) pairs.</summary>
    public static List<(long Seq, string Id)> Updates(JsonElement message) =>
        message.GetProperty("updates").EnumerateArray().Select(u => (u.GetProperty("seq").GetInt64(), u.GetProperty("id").GetString()!)).ToList();
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline";
}
