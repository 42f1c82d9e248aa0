using System.Text.Json;
using Serverless.Functions.Ingest;
using Serverless.Testing;

namespace Serverless.Tests.Core;

public sealed class InvocationRequestTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bodies_and_their_event_hubs_metadata_are_read_in_either_encoding(bool doubleEncoded)
    {
        var json = TestEvents.Invocation(["{\"a\":1}", "plain text"], partitionId: "3", firstSequenceNumber: 12, doubleEncoded: doubleEncoded);

        var request = InvocationRequest.Parse(JsonDocument.Parse(json).RootElement);

        Assert.Equal("3", request.PartitionId);
        Assert.Equal(["{\"a\":1}", "plain text"], request.Events.Select(e => e.Text));
        Assert.Equal([12L, 13L], request.Events.Select(e => e.Origin.SequenceNumber!.Value));
        Assert.Equal(["12000", "13000"], request.Events.Select(e => e.Origin.Offset!));
        Assert.All(request.Events, e => Assert.NotNull(e.Origin.EnqueuedTime));
    }

    [Fact]
    public void The_host_sample_of_the_contract_is_understood()
    {
        // AZURE-CONTRACTS §1.3, the example of what a custom handler gets for many + string.
        const string json = """
            {"Data":{"events":"[\"{\\\"a\\\":1}\",\"hello\"]"},
             "Metadata":{"PartitionContext":{"FullyQualifiedNamespace":"ns.servicebus.windows.net","EventHubName":"hub","ConsumerGroup":"$Default","PartitionId":"0"},
               "SequenceNumberArray":"[12,13]","OffsetArray":"[\"4096\",\"4200\"]",
               "EnqueuedTimeUtcArray":"[\"2025-01-01T00:00:00.123\",\"2025-01-01T00:00:01\"]","PartitionKeyArray":"[null,\"k\"]",
               "PropertiesArray":"[{},{}]","SystemPropertiesArray":"[{},{}]",
               "sys":{"MethodName":"events","UtcNow":"2025-01-01T00:00:02","RandGuid":"00000000-0000-0000-0000-000000000000"}}}
            """;

        var request = InvocationRequest.Parse(JsonDocument.Parse(json).RootElement);

        Assert.Equal(["{\"a\":1}", "hello"], request.Events.Select(e => e.Text));
        Assert.Equal(["4096", "4200"], request.Events.Select(e => e.Origin.Offset!));
        Assert.Equal([null, "k"], request.Events.Select(e => e.Origin.PartitionKey));
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, 123, TimeSpan.Zero), request.Events[0].Origin.EnqueuedTime);
    }

    [Theory]
    [InlineData("""{"Metadata":{}}""")]
    [InlineData("""{"Data":{"other":"[]"}}""")]
    [InlineData("""{"Data":{"events":"not an array"}}""")]
    public void An_invocation_without_event_bodies_is_invalid(string json) =>
        Assert.Throws<InvalidInvocationException>(() => InvocationRequest.Parse(JsonDocument.Parse(json).RootElement));
}
