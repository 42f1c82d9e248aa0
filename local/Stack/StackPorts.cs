using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>The ports of the stack's parts, each checked to be free before anything starts.</summary>
/// <remarks>Azurite takes three ports from <see cref="LocalStackOptions.StoragePort"/> on: Blob, Queue, Table (its own defaults are 10000–10002).</remarks>
public sealed record StackPorts(AzuritePorts Storage, int EventHubs, int SignalR, int Host, int Web)
{
    public static StackPorts Resolve(LocalStackOptions options)
    {
        var busy = new List<string>();
        int Take(int port, string part, string option)
        {
            if (port == 0)
            {
                return LoopbackPorts.Free();
            }

            if (!LoopbackPorts.IsFree(port))
            {
                busy.Add($"port {port} ({part}) is in use: stop what uses it, or choose another with {option}");
            }

            return port;
        }

        var ports = new StackPorts(
            new AzuritePorts(
                Take(options.StoragePort, "Azurite Blob", "--storage-port"),
                Take(options.StoragePort == 0 ? 0 : options.StoragePort + 1, "Azurite Queue", "--storage-port"),
                Take(options.StoragePort == 0 ? 0 : options.StoragePort + 2, "Azurite Table", "--storage-port")),
            Take(options.EventHubsPort, "Event Hubs", "--eventhubs-port"),
            Take(options.SignalRPort, "SignalR Service", "--signalr-port"),
            Take(options.HostPort, "Functions host", "--host-port"),
            Take(options.WebPort, "web client", "--web-port"));
        return busy.Count == 0 ? ports : throw new LocalStackException(string.Join("; ", busy) + ".");
    }
}
