namespace Serverless.SignalRService;

/// <summary>How the local SignalR Service runs: <c>--port</c>, <c>--access-key</c>, <c>--host</c>.</summary>
public sealed class ServiceOptions
{
    /// <summary>The development key Microsoft's emulator uses too: public, for local use only.</summary>
    public const string DevelopmentAccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
    public const int DefaultPort = 8888;

    public int Port { get; set; } = DefaultPort;
    public string AccessKey { get; set; } = DevelopmentAccessKey;

    /// <summary>The address to listen on; loopback (IPv4 and IPv6) unless told otherwise.</summary>
    public string Host { get; set; } = "localhost";

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
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --port N (default {DefaultPort}), --access-key KEY, --host ADDRESS.");
            }

            i++;
        }

        return options;
    }
}
