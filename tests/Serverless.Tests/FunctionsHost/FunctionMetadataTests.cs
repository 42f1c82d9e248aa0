using System.Text.Json.Nodes;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.Rpc;
using Serverless.Testing;

namespace Serverless.Tests.FunctionsHost;

/// <summary>
/// The app declares the Event Hubs trigger itself (functions/Bindings/), and the test app the SignalR connection-info
/// input (tests/Serverless.TestApp/Bindings/), because the package feed does not serve the official binding packages. Azure's host reads the bindings from the metadata,
/// so the metadata must be what the official packages give: both the build's <c>functions.metadata</c> and what the
/// worker sends the host are compared here with the official shape.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class FunctionMetadataTests(PipelineFixture fixture)
{
    /// <summary>
    /// Every binding of every function as the official packages declare it. Source: the attributes of
    /// Microsoft.Azure.Functions.Worker.Extensions.EventHubs 6.5.1 (EventHubTriggerAttribute: constructor parameter
    /// eventHubName; ConsumerGroup, Connection; IsBatched with DefaultValue(true), which the SDK writes as cardinality),
    /// ...SignalRService 2.0.1 (SignalRConnectionInfoInputAttribute: HubName, ConnectionStringSetting, UserId, IdToken,
    /// ClaimTypeList, written only when set), ...Http.AspNetCore 2.1.1 (HttpTrigger, and the http output an HTTP-triggered
    /// function returns); the SDK's rules for names, camelCase keys and dataType are in docs/functions-bindings.md.
    /// </summary>
    private static readonly Dictionary<string, string[]> Official = new()
    {
        ["Ingest"] =
        [
            """{"name":"events","type":"eventHubTrigger","direction":"In","eventHubName":"%EventHubName%","connection":"EventHubConnection","consumerGroup":"%EventHubConsumerGroup%","cardinality":"Many","dataType":"Binary"}""",
        ],
        // The official Timer package is referenced itself (it is served), so its metadata is the SDK's own.
        ["Compact"] = ["""{"name":"timer","type":"timerTrigger","direction":"In","schedule":"%Retention:Schedule%"}"""],
        ["Negotiate"] = Http("request", "post", "negotiate"),
        ["Subscribe"] = Http("httpRequest", "post", "subscriptions"),
        ["Updates"] = Http("request", "get", "channels/{channel}/updates"),
        ["Latest"] = Http("request", "get", "channels/{channel}/latest"),
        ["Channels"] = Http("request", "get", "channels"),
        ["Health"] = Http("request", "get", "health"),
        ["NotFound"] =
        [
            """{"name":"request","type":"httpTrigger","direction":"In","authLevel":"Anonymous","methods":["get","post","put","patch","delete","head","options"],"route":"{*path}"}""",
            """{"name":"$return","type":"http","direction":"Out"}""",
        ],
    };

    private const string OfficialIngestRetry = """{"strategy":"exponentialBackoff","maxRetryCount":-1,"minimumInterval":"00:00:01","maximumInterval":"00:00:05"}""";

    [Fact]
    public void The_builds_functions_metadata_has_the_official_bindings()
    {
        var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepo.Layout.FunctionAppFolder, "functions.metadata")))!.AsArray();

        Assert.Equal(Official.Keys.Order(), functions.Select(f => f!["name"]!.GetValue<string>()).Order());
        foreach (var function in functions)
        {
            var name = function!["name"]!.GetValue<string>();
            AssertSameBindings(name, function["bindings"]!.AsArray().Select(b => b!.ToJsonString()));
            Assert.Equal("dotnet-isolated", function["language"]!.GetValue<string>());
            Assert.Equal("Serverless.Functions.dll", function["scriptFile"]!.GetValue<string>());
        }

        var retry = functions.Single(f => f!["name"]!.GetValue<string>() == "Ingest")!["retry"];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(OfficialIngestRetry), retry), retry?.ToJsonString());
    }

    [Fact]
    public async Task The_workers_metadata_response_has_the_official_bindings()
    {
        var worker = await fixture.App.Supervisor.WaitForWorkerAsync(CancellationToken.None);

        Assert.Equal(Official.Keys.Order(), worker.Functions.Select(f => f.Name).Order());
        foreach (var function in worker.Functions)
        {
            AssertSameBindings(function.Name, function.Metadata.RawBindings);
            Assert.Equal("dotnet-isolated", function.Metadata.Language);
        }

        var retry = worker.Function("Ingest")!.Metadata.RetryOptions;
        Assert.Equal(RpcRetryOptions.Types.RetryStrategy.ExponentialBackoff, retry.RetryStrategy);
        Assert.Equal((-1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), (retry.MaxRetryCount, retry.MinimumInterval.ToTimeSpan(), retry.MaximumInterval.ToTimeSpan()));
    }

    [Fact]
    public void The_test_apps_SignalR_input_has_the_official_shape()
    {
        var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepo.TestAppFolder, "functions.metadata")))!.AsArray();
        var negotiate = functions.Single(f => f!["name"]!.GetValue<string>() == "BindingNegotiate")!;

        var input = negotiate["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "signalRConnectionInfo")!.AsObject();
        input.Remove("properties");

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"name":"connectionInfo","type":"signalRConnectionInfo","direction":"In","hubName":"%SignalR:HubName%","userId":"{headers.x-test-user}"}"""),
            input), input.ToJsonString());
    }

    private static string[] Http(string parameter, string method, string route) =>
    [
        $$"""{"name":"{{parameter}}","type":"httpTrigger","direction":"In","authLevel":"Anonymous","methods":["{{method}}"],"route":"{{route}}"}""",
        """{"name":"$return","type":"http","direction":"Out"}""",
    ];

    /// <summary>Same bindings in any order, same keys and values; an empty <c>properties</c> object counts as none.</summary>
    private static void AssertSameBindings(string function, IEnumerable<string> actual)
    {
        static string Normal(string json)
        {
            var node = JsonNode.Parse(json)!.AsObject();
            if (node["properties"] is JsonObject { Count: 0 })
            {
                node.Remove("properties");
            }

            return new JsonObject(node.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString();
        }

        Assert.Equal(Official[function].Select(Normal).Order(), actual.Select(Normal).Order());
    }
}
