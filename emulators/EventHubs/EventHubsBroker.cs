using Amqp;
using Amqp.Listener;
using Serverless.EventHubs.Amqp;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs;

/// <summary>
/// The local Event Hubs namespace on AMQPNetLite's listener: plain TCP (as with UseDevelopmentEmulator=true), SASL
/// ANONYMOUS, MSSBCBS and PLAIN, the <c>$cbs</c> and <c>$management</c> nodes, and links to hubs and partitions.
/// </summary>
internal sealed partial class EventHubsBroker(
    EventHubsOptions options, EventStore store, EntityLinkProcessor links,
    TimeProvider time, ILogger<EventHubsBroker> logger) : BackgroundService
{
    private ContainerHost? host;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Loopback only, IPv4 and IPv6: "localhost" resolves to either.
        host = new ContainerHost([new Address("127.0.0.1", options.Port, null, null, "/", "amqp"), new Address("::1", options.Port, null, null, "/", "amqp")]);
        foreach (var listener in host.Listeners)
        {
            listener.SASL.EnableAnonymousMechanism = true;
            listener.SASL.EnablePlainMechanism(options.KeyName, options.Key);
            listener.SASL.EnableMechanism(CbsSaslProfile.Name, new CbsSaslProfile());
            listener.HandlerFactory = _ => new OpenAfterSasl();
        }

        host.RegisterLinkProcessor(links);
        try
        {
            host.Open();
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new InvalidOperationException($"Could not listen on port {options.Port}: {ex.Message}", ex);
        }

        LogListening(options.Port, string.Join(", ", store.Hubs.Select(h => $"{h.Name} ({h.PartitionCount} partitions)")));
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Applies retention once a minute.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            do
            {
                foreach (var hub in store.Hubs)
                {
                    var removed = hub.ApplyRetention();
                    if (removed > 0)
                    {
                        LogRetention(hub.Name, removed);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        host?.Close();
        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 10, EventName = "Listening", Level = LogLevel.Information, Message = "Local Event Hubs listening on port {Port}: {Hubs}")]
    private partial void LogListening(int port, string hubs);

    [LoggerMessage(EventId = 11, EventName = "RetentionApplied", Level = LogLevel.Information, Message = "Retention removed {Segments} segments of {Hub}")]
    private partial void LogRetention(string hub, int segments);
}
