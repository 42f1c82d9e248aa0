using System.Text.Json;

namespace Serverless.EventHubs;

/// <summary>
/// How the local Event Hubs runs: <c>--port</c>, <c>--data</c>, <c>--config</c> (entities), <c>--key</c>.
/// The defaults give the connection string Microsoft's emulator documents.
/// </summary>
public sealed class EventHubsOptions
{
    public const int DefaultPort = 5672;
    public const string DefaultKeyName = "RootManageSharedAccessKey";
    public const string DefaultKey = "SAS_KEY_VALUE";

    public int Port { get; set; } = DefaultPort;
    public string Host { get; set; } = "localhost";
    public string DataFolder { get; set; } = Path.Combine(".local", "eventhubs");
    public string KeyName { get; set; } = DefaultKeyName;
    public string Key { get; set; } = DefaultKey;
    public List<HubOptions> Hubs { get; set; } = [new HubOptions()];

    public string ConnectionString(int port) =>
        $"Endpoint=sb://localhost{(port == DefaultPort ? "" : $":{port}")};SharedAccessKeyName={KeyName};SharedAccessKey={Key};UseDevelopmentEmulator=true;";

    /// <summary>Reads <c>--port N</c>, <c>--data DIR</c>, <c>--config FILE</c>, <c>--key KEY</c>; anything else is an error naming it.</summary>
    public static EventHubsOptions FromArgs(IReadOnlyList<string> args)
    {
        var options = new EventHubsOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--port" or "-p":
                    options.Port = int.TryParse(value, out var port) && port is >= 0 and <= 65535 ? port : throw new ArgumentException($"--port {value} is not a TCP port.");
                    break;
                case "--data":
                    options.DataFolder = value;
                    break;
                case "--config":
                    options.Hubs = ReadConfig(value);
                    break;
                case "--key":
                    options.Key = value;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --port N (default {DefaultPort}), --data FOLDER, --config FILE, --key KEY.");
            }
        }

        return options;
    }

    /// <summary>A config file: <c>{"hubs":[{"name":"updates","partitions":4,"consumerGroups":["ingest"],"retention":"1.00:00:00"}]}</c>.</summary>
    public static List<HubOptions> ReadConfig(string path)
    {
        var config = JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(path), JsonSerializerOptions.Web)
            ?? throw new ArgumentException($"{path} is empty.");
        var hubs = config.Hubs ?? throw new ArgumentException($"{path} has no \"hubs\".");
        foreach (var hub in hubs)
        {
            hub.Validate(path);
        }

        return hubs;
    }

    /// <summary>Writes a config file that <see cref="ReadConfig"/> reads, for a local Event Hubs started as a process.</summary>
    public static void WriteConfig(string path, IEnumerable<HubOptions> hubs)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(new ConfigFile([.. hubs]), JsonSerializerOptions.Web));
    }

    private sealed record ConfigFile(List<HubOptions>? Hubs);
}

/// <summary>One event hub: name, partition count, consumer groups (<c>$Default</c> always exists) and retention.</summary>
public sealed class HubOptions
{
    public const string DefaultConsumerGroup = "$Default";

    public string Name { get; set; } = "updates";
    public int Partitions { get; set; } = 4;
    public List<string> ConsumerGroups { get; set; } = ["ingest"];
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    public void Validate(string source)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"{source}: hub name '{Name}' may hold only letters, digits, - _ and .");
        }

        if (Partitions is < 1 or > 32)
        {
            throw new ArgumentException($"{source}: hub '{Name}' needs 1 to 32 partitions.");
        }

        if (Retention <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{source}: hub '{Name}' needs a positive retention.");
        }
    }
}
