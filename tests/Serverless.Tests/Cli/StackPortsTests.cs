using System.Net.Sockets;
using System.Net;
using Microsoft.Extensions.Logging;
using Serverless.Local.Stack;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.Cli;

public sealed class StackPortsTests
{
    [Fact]
    public void A_port_in_use_stops_up_before_anything_starts_with_a_message_naming_the_part_and_the_option()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var options = new LocalStackOptions
        {
            Repo = new RepoLayout(TestRepo.Layout.Root),
            DataFolder = Path.GetTempPath(),
            StoragePort = 0,
            EventHubsPort = 0,
            SignalRPort = port,
            HostPort = 0,
            WebPort = 0,
            Logging = logging => logging.ClearProviders(),
        };

        var error = Assert.Throws<LocalStackException>(() => StackPorts.Resolve(options));

        Assert.Contains($"port {port} (SignalR Service) is in use", error.Message);
        Assert.Contains("--signalr-port", error.Message);
    }
}
