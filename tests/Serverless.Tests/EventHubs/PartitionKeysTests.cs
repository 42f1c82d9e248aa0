using System.Reflection;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Producer;
using Serverless.EventHubs;
using Serverless.Testing;

namespace Serverless.Tests.EventHubs;

/// <summary>
/// The local Event Hubs puts a keyed event where the service would: the partition the official SDK's own resolver picks
/// for that key (the one its buffered producer sends to), so that a publisher that picks partitions itself and one that
/// sends with keys agree, locally as in Azure.
/// </summary>
public sealed class PartitionKeysTests
{
    private static readonly string[] Keys =
    [
        "", "a", "ab", "abcd", "abcdefghijkl", "abcdefghijklm", "prices.EURUSD", "orders.42", "wide.0999", "ünïcødé.€",
        .. Enumerable.Range(0, 300).Select(i => $"channel-{i}-{new string('x', i % 40)}"),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(32)]
    public void Each_key_goes_to_the_partition_the_sdks_resolver_picks(int partitionCount)
    {
        var partitions = Enumerable.Range(0, partitionCount).Select(i => i.ToString()).ToArray();
        var sdk = SdkResolver();

        foreach (var key in Keys)
        {
            Assert.Equal(sdk(key, partitions), partitions[PartitionKeys.PartitionIndex(key, partitionCount)]);
        }
    }

    [Fact]
    public async Task A_keyed_send_lands_in_the_partition_of_its_key()
    {
        await using var server = await EventHubsServer.StartAsync(new HubOptions { Name = "updates", Partitions = 4 });
        await using var producer = new EventHubProducerClient(server.ConnectionString, "updates");
        var keys = Keys.Where(k => k.Length > 0).Take(40).ToList();
        foreach (var key in keys)
        {
            await producer.SendAsync([new Azure.Messaging.EventHubs.EventData(key)], new SendEventOptions { PartitionKey = key });
        }

        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, server.ConnectionString, "updates");
        var landed = new Dictionary<string, int>();
        for (var partition = 0; partition < 4; partition++)
        {
            await foreach (var read in consumer.ReadEventsFromPartitionAsync(partition.ToString(), EventPosition.Earliest, new ReadEventOptions { MaximumWaitTime = TimeSpan.FromSeconds(1) }))
            {
                if (read.Data is null)
                {
                    break;
                }

                landed[read.Data.EventBody.ToString()] = partition;
            }
        }

        Assert.Equal(keys.ToDictionary(k => k, k => PartitionKeys.PartitionIndex(k, 4)), landed);
    }

    // The SDK keeps its resolver internal (Azure.Messaging.EventHubs.Core.PartitionResolver); a test may reach it.
    private static Func<string, string[], string> SdkResolver()
    {
        var type = typeof(EventHubProducerClient).Assembly.GetType("Azure.Messaging.EventHubs.Core.PartitionResolver", throwOnError: true)!;
        var resolver = Activator.CreateInstance(type, nonPublic: true)!;
        var assign = type.GetMethod("AssignForPartitionKey", BindingFlags.Public | BindingFlags.Instance)!;
        return (key, partitions) => (string)assign.Invoke(resolver, [key, partitions])!;
    }
}
