using Serverless.Contracts.Local;
using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>Where the local stack keeps its data and which loopback ports its parts take (0: any free port).</summary>
public sealed class LocalStackOptions
{
    public required RepoLayout Repo { get; init; }
    public required string DataFolder { get; init; }
    /// <summary>Azurite's Blob port; Queue and Table take the next two.</summary>
    public int StoragePort { get; init; } = LocalPorts.Storage;
    public int EventHubsPort { get; init; } = LocalPorts.EventHubs;
    public int SignalRPort { get; init; } = LocalPorts.SignalR;
    public int HostPort { get; init; } = LocalPorts.FunctionsHost;
    public int WebPort { get; init; } = LocalPorts.Web;
    public int Partitions { get; init; } = 4;

    /// <summary>Instances of the function app, each a host stand-in with its own worker, behind one address when more than one.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>The local SignalR Service's tier and units, whose connection quota it keeps (the sample stack's Free_F1: 20).</summary>
    public string SignalRTier { get; init; } = "Free";
    public int SignalRUnits { get; init; } = 1;

    /// <summary>App settings over the settings file's, as environment variables would be (a test's retention, say).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>How every part logs; the worker process gets <see cref="WorkerLogLevel"/>.</summary>
    public required Action<ILoggingBuilder> Logging { get; init; }
    public LogLevel WorkerLogLevel { get; init; } = LogLevel.Warning;
}
