using Serverless.Contracts.Settings;
using Serverless.EventHubs;
using Serverless.Testing;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// The host's own storage connection given in the identity form the infra deploys (docs/functions-host.md#connections):
/// the host names the settings it found and says what it needs, instead of calling the setting missing, and the
/// app's HTTP functions go on.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class HostConnectionsTests(PipelineFixture fixture)
{
    [Fact]
    public async Task Storage_in_the_identity_form_is_named_as_such_in_the_trigger_s_error()
    {
        await using var eventHubs = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 1, ConsumerGroups = ["$Default"] });
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, eventHubs.ConnectionString);
        settings["PoisonHub"] = "updates";
        TimerTriggerTests.QuietTimers(settings);
        settings.Remove(SettingNames.Storage);
        settings[$"{SettingNames.Storage}__accountName"] = "devstoreaccount1";
        settings[$"{SettingNames.Storage}__credential"] = "managedidentity";

        await using var app = await FunctionAppServer.StartAsync(FunctionAppServer.Options(settings, TestRepo.TestAppFolder));
        var failed = await app.Log.WaitForAsync(e => e.EventName == "TriggerFailed", TimeSpan.FromSeconds(60));

        Assert.Contains("identity form (AzureWebJobsStorage__accountName, AzureWebJobsStorage__credential)", failed.Message);
        Assert.DoesNotContain("is missing", failed.Message);
        using var item = await app.Http.GetAsync("api/items/7");
        Assert.True(item.IsSuccessStatusCode);
    }
}
