using System.Text;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs.Producer;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Serverless.Contracts.Settings;
using Serverless.Local.Stack;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.WebClient;

/// <summary>
/// The whole local stack as <c>up --instances 2</c> starts it (Azurite, local Event Hubs, local SignalR Service, two
/// instances of the function app under the host stand-in behind one address, and the web client), on free ports with
/// data in a temporary folder, and a headless Chromium.
/// </summary>
public sealed class LocalStackFixture : IAsyncLifetime
{
    private readonly string dataFolder = Directory.CreateTempSubdirectory("stack-").FullName;

    /// <summary>Channels the stack keeps only the last 5 updates of.</summary>
    public const string TrimmedChannels = "trim.*";

    public LocalStack Stack { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public EventHubProducerClient Producer { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;

    /// <summary>Where screenshots go: tests/artifacts in the clone (ignored by git, kept by CI as an artifact).</summary>
    public static string ArtifactsFolder => Directory.CreateDirectory(Path.Combine(TestRepo.Layout.Root, "tests", "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        var options = new LocalStackOptions
        {
            Repo = new RepoLayout(TestRepo.Layout.Root),
            DataFolder = dataFolder,
            StoragePort = 0,
            EventHubsPort = 0,
            SignalRPort = 0,
            HostPort = 0,
            WebPort = 0,
            // Two instances of the app behind one address, as `up --instances 2`: every page test goes through the front door.
            Instances = 2,
            Logging = logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error),
            WorkerLogLevel = LogLevel.Error,
            // Channels "trim.*" keep their last 5 updates, compacted every 2 seconds, for the page's test of trimmed history.
            Settings = new Dictionary<string, string>
            {
                [SettingNames.RetentionChannels] = $"{TrimmedChannels}=5/",
                [SettingNames.RetentionSchedule] = "00:00:02",
            },
        };
        // Off the test framework's synchronization context, as the parts run in the tool's own process.
        Stack = await Task.Run(() => LocalStack.StartAsync(options, _ => { }, CancellationToken.None));
        Producer = new EventHubProducerClient(Stack.EventHubsConnectionString, Stack.EventHubName);
        Api = new HttpClient { BaseAddress = Stack.HostUrl }.As(TestCallers.OperatorToken());
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(Playwright);
    }

    /// <summary>Publishes updates to a channel through Event Hubs, as a source does (the channel is the partition key).</summary>
    public Task PublishAsync(string channel, IEnumerable<string> ids) =>
        PublishAsync(channel, ids.Select(id => TestEvents.Update(channel, id, new { id }, key: "k")));

    /// <summary>Publishes these CloudEvents to a channel through Event Hubs, in one batch.</summary>
    public async Task PublishAsync(string channel, IEnumerable<System.Text.Json.Nodes.JsonObject> updates)
    {
        var events = updates.Select(update => new EventData(Encoding.UTF8.GetBytes(update.ToJsonString()))).ToArray();
        await Producer.SendAsync(events, new SendEventOptions { PartitionKey = channel });
    }

    /// <summary>Waits until the channel's log in storage reaches <paramref name="head"/>.</summary>
    public Task WaitForHeadAsync(string channel, long head) => ChannelLog.WaitForHeadAsync(Api, channel, head);

    /// <summary>Deletes a channel's rows (log, head, keys), as an operator resetting it would.</summary>
    public Task ResetChannelAsync(string channel) =>
        ChannelReset.DeleteRowsAsync(new TableClient(Stack.Storage.ConnectionString, Stack.Settings[SettingNames.UpdatesTable]), channel);

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        Api.Dispose();
        await Producer.DisposeAsync();
        await Stack.DisposeAsync();
        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LocalStackCollection : ICollectionFixture<LocalStackFixture>
{
    public const string Name = "local stack";
}
