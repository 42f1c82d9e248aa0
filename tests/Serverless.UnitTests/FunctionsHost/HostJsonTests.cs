using Microsoft.Extensions.Logging;
using Serverless.FunctionsHost.App;
using Serverless.Tooling;

namespace Serverless.UnitTests.FunctionsHost;

/// <summary>What the host stand-in reads of host.json, what it names as unused, and how app settings override it.</summary>
public sealed class HostJsonTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("hostjson-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Every_setting_the_host_does_not_read_is_named_and_none_it_reads()
    {
        var host = Read("""
            {
              "version": "2.0",
              "telemetryMode": "OpenTelemetry",
              "functionTimeout": "00:01:00",
              "logging": { "logLevel": { "default": "Warning", "Serverless": "Debug" }, "applicationInsights": { "samplingSettings": { "isEnabled": true } } },
              "extensions": {
                "http": { "routePrefix": "api", "maxConcurrentRequests": 10 },
                "eventHubs": { "maxEventBatchSize": 64, "minEventBatchSize": 8, "partitionOwnershipExpirationInterval": "00:00:40" }
              }
            }
            """);

        Assert.Equal(["telemetryMode", "logging.applicationInsights.samplingSettings.isEnabled", "extensions.http.maxConcurrentRequests", "extensions.eventHubs.minEventBatchSize"], host.Unused);
        Assert.Equal(TimeSpan.FromMinutes(1), host.FunctionTimeout);
        Assert.Equal(LogLevel.Warning, host.LogLevels["default"]);
        Assert.Equal(LogLevel.Debug, host.LogLevels["Serverless"]);
        Assert.Equal(64, host.EventHubs.MaxEventBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(40), host.EventHubs.PartitionOwnershipExpirationInterval);
        Assert.Equal(EventHubsHostOptions.DefaultLoadBalancingUpdateInterval, host.EventHubs.LoadBalancingUpdateInterval);
    }

    [Fact]
    public void The_repository_app_s_host_json_leaves_unused_only_what_matters_in_Azure_alone()
    {
        var host = HostJson.Read(Path.Combine(RepoLayout.Find().Functions, "host.json"));

        Assert.Equal(["telemetryMode"], host.Unused);
    }

    [Fact]
    public void App_settings_override_host_json_by_path_case_insensitively_and_add_what_it_lacks()
    {
        var host = Read("""{ "version": "2.0", "extensions": { "eventHubs": { "maxEventBatchSize": 64 } } }""", new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__Extensions__EventHubs__MaxEventBatchSize"] = "8",
            ["AzureFunctionsJobHost__extensions__eventHubs__loadBalancingUpdateInterval"] = "00:00:02",
            ["AzureFunctionsJobHost__functionTimeout"] = "-1",
            ["Unrelated__extensions__eventHubs__prefetchCount"] = "1",
        });

        Assert.Equal(8, host.EventHubs.MaxEventBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(2), host.EventHubs.LoadBalancingUpdateInterval);
        Assert.Equal(EventHubsHostOptions.DefaultPrefetchCount, host.EventHubs.PrefetchCount);
        Assert.Null(host.FunctionTimeout);
        Assert.Empty(host.Unused);
    }

    [Fact]
    public void Defaults_are_the_Functions_host_s()
    {
        var host = Read("""{ "version": "2.0" }""");

        Assert.Equal(HostJson.DefaultFunctionTimeout, host.FunctionTimeout);
        Assert.Equal("api", host.RoutePrefix);
        Assert.Equal(TimeSpan.FromMinutes(2), host.EventHubs.PartitionOwnershipExpirationInterval);
        Assert.Empty(host.LogLevels);
    }

    [Theory]
    [InlineData("""{ "extensions": {} }""", "version")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:00:00.5" }""", "functionTimeout")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": { "default": "Loud" } } }""", "logging.logLevel.default")]
    [InlineData("""{ "version": "2.0", "extensions": { "eventHubs": { "maxEventBatchSize": "many" } } }""", "maxEventBatchSize")]
    [InlineData("""{ "version": "2.0", "extensions": { "eventHubs": { "loadBalancingUpdateInterval": "00:01:00", "partitionOwnershipExpirationInterval": "00:00:30" } } }""", "partitionOwnershipExpirationInterval")]
    [InlineData("""{ "version": "2.0", "singleton": { "listenerLockPeriod": "00:00:05" } }""", "listenerLockPeriod")]
    public void A_wrong_value_stops_the_host_with_its_name(string json, string named)
    {
        var error = Assert.ThrowsAny<Exception>(() => Read(json));

        Assert.Contains(named, error.Message);
    }

    private HostJson Read(string json, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var file = Path.Combine(folder, "host.json");
        File.WriteAllText(file, json);
        return HostJson.Read(file, settings);
    }
}
