using System.Text.Json.Nodes;
using Serverless.Testing;

namespace Serverless.Benchmarks;

/// <summary>
/// Send and receive throughput of the local Event Hubs, measured with the official JS SDK: 1 KB events in full batches
/// spread over the partitions, then read back from every partition.
/// </summary>
public static class EventHubsBenchmark
{
    public static async Task RunAsync(int count = 50_000, int size = 1024)
    {
        await using var server = await EventHubsServer.StartAsync();
        var answer = await NodeScript.RunAsync("eventhubs.mjs", new JsonObject
        {
            ["op"] = "throughput", ["connection"] = server.ConnectionString, ["hub"] = "updates", ["count"] = count, ["size"] = size,
        }, TimeSpan.FromMinutes(10));
        Console.WriteLine($"local Event Hubs, {size}-byte events, batched: sent {answer.GetProperty("sent")} at {answer.GetProperty("sendPerSecond").GetDouble():F0} events/s, " +
            $"received {answer.GetProperty("received")} at {answer.GetProperty("receivePerSecond").GetDouble():F0} events/s");
    }
}
