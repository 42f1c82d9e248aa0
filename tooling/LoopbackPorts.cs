using System.Net;
using System.Net.Sockets;

namespace Serverless.Tooling;

/// <summary>Ports on the loopback interface, for the local stack and the tests.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether a listener could take the port now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Waits until something accepts connections on the port; <paramref name="whyNot"/> can give up early with a reason.</summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Func<string?> whyNot, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (whyNot() is { } reason)
            {
                throw new InvalidOperationException(reason);
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        throw new TimeoutException($"nothing listened on port {port} within {timeout.TotalSeconds:0} s");
    }
}
