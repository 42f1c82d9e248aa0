using Serverless.Contracts.Settings;
using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>
/// <c>up --instances 2</c> (docs/local.md#several-instances): two instances of the app, each up behind the one address,
/// each owning its share of the partitions under its own name, and every channel stored whichever instance reads it.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class SeveralInstancesTests(LocalStackFixture fixture)
{
    [Fact]
    public async Task Two_instances_share_the_partitions_under_their_names_and_every_channel_is_stored()
    {
        var stack = fixture.Stack;
        Assert.Equal(2, stack.InstancePorts.Count);
        using var direct = new HttpClient();
        foreach (var port in stack.InstancePorts)
        {
            using var ping = await direct.GetAsync($"http://127.0.0.1:{port}/admin/host/ping");
            Assert.True(ping.IsSuccessStatusCode, $"instance on {port} answered {(int)ping.StatusCode}");
        }

        var owners = await Poll.UntilAsync(async () =>
        {
            var records = await PartitionOwners.RecordsAsync(stack.Storage.ConnectionString, stack.Ports.EventHubs, stack.EventHubName, stack.Settings[SettingNames.EventHubConsumerGroup]!);
            var named = records.Select(r => r.Owner).Where(o => o.Length > 0).ToList();
            return named.Count == records.Count && named.Distinct().Count() == 2 ? named.Distinct().Order().ToList() : null;
        }, TimeSpan.FromSeconds(60));
        Assert.Equal([$"{Environment.MachineName}-instance-1", $"{Environment.MachineName}-instance-2"], owners);

        var channels = Enumerable.Range(0, 8).Select(_ => TestEvents.NewChannel("instances")).ToList();
        foreach (var channel in channels)
        {
            await fixture.PublishAsync(channel, ["a", "b", "c"]);
        }

        foreach (var channel in channels)
        {
            var page = await ChannelLog.WaitForHeadAsync(fixture.Api, channel, 3);
            Assert.Equal(["a", "b", "c"], page.Updates.Select(u => u.Id));
        }
    }
}
