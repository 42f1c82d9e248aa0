using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serverless.AppHost.Parts;

/// <summary>A part is healthy once it accepts connections on its port: what the parts that need it wait for.</summary>
internal static class ListeningCheck
{
    public static IResourceBuilder<T> WithListeningCheck<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, int port) where T : IResource
    {
        var name = $"{resource.Resource.Name}-listening";
        builder.Services.AddHealthChecks().AddAsyncCheck(name, async cancellationToken =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy($"nothing accepts connections on port {port} yet ({ex.SocketErrorCode})");
            }
        });
        return resource.WithHealthCheck(name);
    }
}
