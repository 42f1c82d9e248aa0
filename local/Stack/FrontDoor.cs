using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Serverless.Local.Stack;

/// <summary>
/// One HTTP address in front of several instances of the function app, as Azure's front ends are: each request goes
/// to the next instance that is up (round robin). An instance counts as up while its host answers
/// <c>/admin/host/ping</c>, which it does once its worker is ready; one that stops answering, or whose connections
/// fail, gets no requests until it answers again, and a read it could not take goes to another instance
/// (docs/local.md#several-instances).
/// </summary>
public static class FrontDoor
{
    public const string PingPath = "/admin/host/ping";

    public static WebApplication Build(int port, IReadOnlyList<int> instancePorts, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
            // The instances take bodies up to the Functions limit and answer 413 above it.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "functions", ClusterId = "instances", Match = new RouteMatch { Path = "{**path}" } }],
            [Instances(instancePorts)]);
        var app = builder.Build();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(RetryElsewhereAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>
    /// A read that could not reach its instance (stopped, killed, not yet marked down) goes to another one, as a front
    /// end does with an instance that is gone; a request with a body is not sent twice.
    /// </summary>
    private static async Task RetryElsewhereAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var tried = new HashSet<DestinationState>();
        while (true)
        {
            await next();
            if (context.GetForwarderErrorFeature() is not { Error: ForwarderError.Request } || context.Response.HasStarted
                || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                || proxy.ProxiedDestination is not { } failed)
            {
                return;
            }

            tried.Add(failed);
            var others = proxy.AllDestinations.Where(d => !tried.Contains(d)).ToList();
            if (others.Count == 0)
            {
                return;
            }

            proxy.AvailableDestinations = others;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
    }

    private static ClusterConfig Instances(IReadOnlyList<int> ports) => new()
    {
        ClusterId = "instances",
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        // One failed ping takes an instance out: a stopping host answers 503 at once.
        Metadata = new Dictionary<string, string> { [ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName] = "1" },
        Destinations = ports.Select((port, i) => (port, i)).ToDictionary(
            p => $"instance-{p.i + 1}", p => new DestinationConfig { Address = $"http://127.0.0.1:{p.port}/" }),
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = TimeSpan.FromSeconds(1),
                Timeout = TimeSpan.FromSeconds(2),
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = PingPath,
            },
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = TimeSpan.FromSeconds(2),
            },
            AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
        },
        // Long polls and catch-up pages may take a while; the instances bound them.
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(2) },
    };
}
