namespace Serverless.SignalRService;

/// <summary>How the local SignalR Service runs: <c>--port</c>, <c>--access-key</c>, <c>--host</c>, <c>--tier</c>, <c>--units</c>.</summary>
public sealed class ServiceOptions
{
    /// <summary>Concurrent client connections per unit: Free 20, Standard and Premium 1,000 (docs/signalr-service.md#connection-quota).</summary>
    public static readonly IReadOnlyDictionary<string, int> ConnectionsPerUnit = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["Free"] = 20,
        ["Standard"] = 1000,
        ["Premium"] = 1000,
    };

    /// <summary>The development key Microsoft's emulator uses too: public, for local use only.</summary>
    public const string DevelopmentAccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
    public const int DefaultPort = 8888;

    public int Port { get; set; } = DefaultPort;
    public string AccessKey { get; set; } = DevelopmentAccessKey;

    /// <summary>The address to listen on; loopback (IPv4 and IPv6) unless told otherwise.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The tier whose connection quota the service keeps, as Azure's SKU names it (Free_F1 is Free).</summary>
    public string Tier { get; set; } = "Free";

    /// <summary>Units of the tier (Free: 1; Standard and Premium: 1–100).</summary>
    public int Units { get; set; } = 1;

    /// <summary>How many client connections may be open at once; one more is refused with 429.</summary>
    public int MaxConnections => ConnectionsPerUnit[Tier] * Units;

    public string ConnectionString(int port) => $"Endpoint=http://localhost;Port={port};AccessKey={AccessKey};Version=1.0;";

    /// <summary>Reads <c>--port N</c>, <c>--access-key K</c> and <c>--host H</c>; anything else is an error naming it.</summary>
    public static ServiceOptions FromArgs(IReadOnlyList<string> args)
    {
        var options = new ServiceOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--port" or "-p":
                    options.Port = int.TryParse(value, out var port) && port is >= 0 and <= 65535 ? port : throw new ArgumentException($"--port {value} is not a TCP port.");
                    break;
                case "--access-key":
                    options.AccessKey = value.Length >= 16 ? value : throw new ArgumentException("--access-key must be at least 16 characters.");
                    break;
                case "--host":
                    options.Host = value;
                    break;
                case "--tier":
                    options.Tier = ConnectionsPerUnit.Keys.FirstOrDefault(t => string.Equals(t, value.Split('_')[0], StringComparison.OrdinalIgnoreCase))
                        ?? throw new ArgumentException($"--tier {value} is not one of {string.Join(", ", ConnectionsPerUnit.Keys)}.");
                    break;
                case "--units":
                    options.Units = int.TryParse(value, out var units) && units is >= 1 and <= 100 ? units : throw new ArgumentException($"--units {value} is not a number of units from 1 to 100.");
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --port N (default {DefaultPort}), --access-key KEY, --host ADDRESS, --tier Free|Standard|Premium (default Free), --units N (default 1).");
            }

            i++;
        }

        if (options.Tier == "Free" && options.Units != 1)
        {
            throw new ArgumentException("--units must be 1 with the Free tier.");
        }

        return options;
    }
}
