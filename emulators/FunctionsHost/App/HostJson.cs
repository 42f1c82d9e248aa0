using System.Globalization;
using System.Text.Json.Nodes;

namespace Serverless.FunctionsHost.App;

/// <summary>
/// What this host uses of <c>host.json</c>, with the Functions defaults for what it leaves out. App settings named
/// <c>AzureFunctionsJobHost__{path}</c> override the file's values, as in Azure. Every setting the file holds that
/// this host does not read is in <see cref="Unused"/>, which the host names in a warning at start
/// (docs/functions-host.md#hostjson).
/// </summary>
public sealed record HostJson(
    string RoutePrefix, EventHubsHostOptions EventHubs, SingletonHostOptions Singleton, TimeSpan? FunctionTimeout,
    IReadOnlyDictionary<string, LogLevel> LogLevels, IReadOnlyList<string> Unused)
{
    public const string OverridePrefix = "AzureFunctionsJobHost__";

    /// <summary>The app setting that names an instance in the Event Hubs ownership records (docs/functions-host.md#partition-ownership).</summary>
    public const string ProcessorIdentifierSetting = OverridePrefix + "extensions__eventHubs__processorIdentifier";

    /// <summary>The Functions host's default outside the Consumption plan; <c>-1</c> in the file means no limit.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    public static HostJson Read(string file, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var root = ScriptRoot.ReadObject(file);
        HostJsonOverrides.Apply(root, settings);
        var reader = new HostJsonReader(root, file);
        if (reader.String("version") is not "2.0")
        {
            throw new ScriptRootException($"{file}: \"version\" must be \"2.0\", as for every Functions 4.x app.");
        }

        var updateInterval = reader.Duration("extensions.eventHubs.loadBalancingUpdateInterval", EventHubsHostOptions.DefaultLoadBalancingUpdateInterval);
        var expiration = reader.Duration("extensions.eventHubs.partitionOwnershipExpirationInterval", EventHubsHostOptions.DefaultPartitionOwnershipExpirationInterval);
        if (expiration <= updateInterval)
        {
            throw new ScriptRootException($"{file}: extensions.eventHubs.partitionOwnershipExpirationInterval ({expiration}) must be longer than loadBalancingUpdateInterval ({updateInterval}), or every instance loses its partitions between renewals.");
        }

        var eventHubs = new EventHubsHostOptions(
            reader.Int("extensions.eventHubs.maxEventBatchSize", EventHubsHostOptions.DefaultMaxEventBatchSize),
            reader.Int("extensions.eventHubs.prefetchCount", EventHubsHostOptions.DefaultPrefetchCount),
            reader.Int("extensions.eventHubs.batchCheckpointFrequency", 1),
            reader.String("extensions.eventHubs.initialOffsetOptions.type") is { } type && type.Equals("fromEnd", StringComparison.OrdinalIgnoreCase),
            updateInterval,
            expiration,
            reader.String("extensions.eventHubs.processorIdentifier") is { Length: > 0 } identifier ? identifier : null);
        var singleton = new SingletonHostOptions(
            reader.Duration("singleton.listenerLockPeriod", SingletonHostOptions.DefaultListenerLockPeriod),
            reader.Duration("singleton.listenerLockRecoveryPollingInterval", SingletonHostOptions.DefaultRecoveryPollingInterval));
        if (singleton.ListenerLockPeriod < TimeSpan.FromSeconds(15) || singleton.ListenerLockPeriod > TimeSpan.FromSeconds(60))
        {
            throw new ScriptRootException($"{file}: singleton.listenerLockPeriod must be between 00:00:15 and 00:01:00, not {singleton.ListenerLockPeriod}.");
        }

        var routePrefix = reader.String("extensions.http.routePrefix") ?? "api";
        var timeout = FunctionTimeoutFrom(reader, file);
        var logLevels = LogLevelsFrom(reader, file);
        return new HostJson(routePrefix.Trim('/'), eventHubs, singleton, timeout, logLevels, reader.Unread());
    }

    // As the Functions host: at least a second; -1 (a TimeSpan of minus one day) for no limit, on plans that allow it.
    private static TimeSpan? FunctionTimeoutFrom(HostJsonReader reader, string file)
    {
        if (reader.String("functionTimeout") is not { } text)
        {
            return DefaultFunctionTimeout;
        }

        if (text.Trim() == "-1")
        {
            return null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeout) && timeout >= TimeSpan.FromSeconds(1)
            ? timeout
            : throw new ScriptRootException($"{file}: functionTimeout '{text}' must be a TimeSpan of at least 00:00:01, or -1 for no limit.");
    }

    // logging.logLevel: a level per category prefix, "default" for the rest, as ASP.NET Core's logging reads it.
    private static IReadOnlyDictionary<string, LogLevel> LogLevelsFrom(HostJsonReader reader, string file)
    {
        var levels = new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase);
        if (reader.Node("logging.logLevel") is JsonObject section)
        {
            foreach (var (category, value) in section)
            {
                var text = value?.ToString() ?? "";
                levels[category] = Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level)
                    ? level
                    : throw new ScriptRootException($"{file}: logging.logLevel.{category} '{text}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None).");
            }
        }

        return levels;
    }
}

/// <summary>
/// host.json <c>singleton</c>: how long a timer's listener lock is leased (15 to 60 s, default 60 s) and how often a
/// host without it tries again (default a minute), as the WebJobs SDK's singleton options.
/// </summary>
public sealed record SingletonHostOptions(TimeSpan ListenerLockPeriod, TimeSpan ListenerLockRecoveryPollingInterval)
{
    public static readonly TimeSpan DefaultListenerLockPeriod = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultRecoveryPollingInterval = TimeSpan.FromMinutes(1);
}

/// <summary>
/// host.json <c>extensions.eventHubs</c>. The two intervals are the Event Hubs SDK processor's: how often an instance
/// renews its partitions and balances, and how long a partition whose owner stopped renewing stays its own (the SDK's
/// defaults since 5.7.0: 30 s and 2 min). <see cref="ProcessorIdentifier"/> names the instance in ownership records; when
/// it is stable, an instance that starts again takes its partitions back at once instead of after they expire. Unset,
/// each start gets a new one, as in Azure.
/// </summary>
public sealed record EventHubsHostOptions(
    int MaxEventBatchSize, int PrefetchCount, int BatchCheckpointFrequency, bool StartFromEnd,
    TimeSpan LoadBalancingUpdateInterval, TimeSpan PartitionOwnershipExpirationInterval, string? ProcessorIdentifier = null)
{
    public const int DefaultMaxEventBatchSize = 100;
    public const int DefaultPrefetchCount = 300;
    public static readonly TimeSpan DefaultLoadBalancingUpdateInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultPartitionOwnershipExpirationInterval = TimeSpan.FromMinutes(2);
}
