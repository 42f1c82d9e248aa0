namespace Serverless.Cli.Local;

/// <summary>Where the local stack keeps its data and which loopback ports its parts take (0: any free port).</summary>
public sealed class LocalStackOptions
{
    public required RepoLayout Repo { get; init; }
    public required string DataFolder { get; init; }
    public int StoragePort { get; init; } = 10002;
    public int EventHubsPort { get; init; } = 5672;
    public int SignalRPort { get; init; } = 8888;
    public int HostPort { get; init; } = 7071;
    public int WebPort { get; init; } = 8080;
    public int Partitions { get; init; } = 4;

    /// <summary>The function app's settings file; <c>functions/local.settings.json</c> if it exists, else the sample.</summary>
    public string? SettingsFile { get; init; }

    /// <summary>Settings that win over the file (after the connection strings of the started parts).</summary>
    public IReadOnlyDictionary<string, string?> SettingOverrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>How every part logs; the handler process gets <see cref="HandlerLogLevel"/>.</summary>
    public required Action<ILoggingBuilder> Logging { get; init; }
    public LogLevel HandlerLogLevel { get; init; } = LogLevel.Warning;
}
