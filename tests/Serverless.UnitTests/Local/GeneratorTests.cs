using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;
using Serverless.Local.Demo;

namespace Serverless.UnitTests.Local;

public sealed class GeneratorTests
{
    [Fact]
    public void Demo_updates_are_cloudevents_on_the_demo_channels_with_versions_rising_per_key()
    {
        var generator = new UpdateGenerator(seed: 7);

        var updates = Enumerable.Range(0, 500).Select(_ => generator.Next()).ToList();

        Assert.All(updates, u =>
        {
            Assert.Equal("1.0", (string?)u[UpdateAttributes.SpecVersion]);
            Assert.Contains((string?)u[UpdateAttributes.Channel], UpdateGenerator.Channels);
            Assert.IsType<JsonObject>(u["data"]);
        });
        Assert.Equal(UpdateGenerator.Channels.Order(), updates.Select(u => (string)u[UpdateAttributes.Channel]!).Distinct().Order());
        foreach (var key in updates.GroupBy(u => (string)u[UpdateAttributes.EntityKey]!))
        {
            var versions = key.Select(u => (long)u[UpdateAttributes.EntityVersion]!).ToList();
            Assert.Equal(versions.Order(), versions);
            Assert.Equal(versions.Count, versions.Distinct().Count());
        }
    }

    [Fact]
    public void Orders_move_through_their_states_in_order()
    {
        var generator = new UpdateGenerator(seed: 3);
        string[] states = ["placed", "paid", "packed", "shipped", "delivered"];

        var orders = Enumerable.Range(0, 2000).Select(_ => generator.Next()).Where(u => (string?)u["type"] == UpdateGenerator.OrderType)
            .GroupBy(u => (string)u[UpdateAttributes.EntityKey]!);

        Assert.All(orders, order => Assert.Equal(states.Take(order.Count()), order.Select(u => (string)u["data"]!["state"]!)));
    }
}
