using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// Attaches producers to hubs and partitions and consumers to consumer-group partitions, after checking the entity
/// exists (<c>amqp:not-found</c>), the connection holds a token for it (<c>amqp:unauthorized-access</c>), the start
/// filter parses (<c>com.microsoft:argument-error</c>) and the owner level allows it (<c>amqp:link:stolen</c>).
/// </summary>
internal sealed partial class EntityLinkProcessor(
    EventStore store, ConnectionGrants grants, OwnerLevels ownerLevels, CbsNode cbs, ManagementNode management, TimeProvider time, ILogger<EntityLinkProcessor> logger) : ILinkProcessor
{
    private readonly RequestResponseNode[] nodes =
    [
        new(EventHubsAmqp.CbsAddress, cbs.Handle),
        new(EventHubsAmqp.ManagementAddress, management.Handle),
    ];

    private const int PublishCredit = 300;

    public void Process(AttachContext attachContext)
    {
        var attach = attachContext.Attach;
        // The peer's role: true when it receives (we send to it), false when it sends.
        var peerReceives = attach.Role;
        var address = peerReceives ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;
        if (nodes.FirstOrDefault(n => n.Handles(address)) is { } node)
        {
            node.Attach(attachContext);
            return;
        }

        var error = peerReceives ? AttachReceiver(attachContext, address) : AttachPublisher(attachContext, address);
        if (error is not null)
        {
            // A receiver refused because an owner holds the partition is how owners work (the Event Hubs SDK's
            // processor checks a partition so when it starts): worth a line, not a warning.
            if (error.Condition == EventHubsAmqp.Errors.Stolen)
            {
                LogOwnedElsewhere(address ?? "(none)", error.Description);
            }
            else
            {
                LogRefused(address ?? "(none)", error.Condition.ToString(), error.Description);
            }

            attachContext.Complete(error);
        }
    }

    private Error? AttachPublisher(AttachContext context, string? address)
    {
        var entity = EntityAddress.Parse(address);
        if (entity is null || entity.ConsumerGroup is not null || store.Hub(entity.Hub) is not { } hub)
        {
            return NotFound(address);
        }

        PartitionLog? partition = null;
        if (entity.PartitionId is not null && (partition = hub.Partition(entity.PartitionId)) is null)
        {
            return NotFound(address);
        }

        if (!grants.Allows(context.Link.Session.Connection, entity.EntityPath))
        {
            return Unauthorized(address);
        }

        // The attach answer tells the producer the largest message it may send (SDKs size their batches by it).
        context.Attach.MaxMessageSize = EventHubsAmqp.MaxMessageBytes;
        context.Complete(new PublishEndpoint(hub, partition, logger), PublishCredit);
        return null;
    }

    private Error? AttachReceiver(AttachContext context, string? address)
    {
        var entity = EntityAddress.Parse(address);
        if (entity is not { ConsumerGroup: not null, PartitionId: not null } || store.Hub(entity.Hub) is not { } hub)
        {
            return NotFound(address);
        }

        if (!hub.ConsumerGroups.Contains(entity.ConsumerGroup))
        {
            return NotFound(address, $"The messaging entity '{hub.Name}/ConsumerGroups/{entity.ConsumerGroup}' could not be found.");
        }

        if (hub.Partition(entity.PartitionId) is not { } partition)
        {
            return NotFound(address, $"The messaging entity '{hub.Name}/Partitions/{entity.PartitionId}' could not be found.");
        }

        if (!grants.Allows(context.Link.Session.Connection, entity.EntityPath))
        {
            return Unauthorized(address);
        }

        StartPosition start;
        try
        {
            start = StartPositionFilter.Parse((context.Attach.Source as Source)?.FilterSet);
        }
        catch (FormatException ex)
        {
            return new Error(EventHubsAmqp.Errors.ArgumentError) { Description = ex.Message };
        }

        var epoch = context.Attach.Properties?.TryGetValue(EventHubsAmqp.Receivers.Epoch, out var value) == true ? Convert.ToInt64(value) : (long?)null;
        var metrics = context.Attach.DesiredCapabilities?.Contains(EventHubsAmqp.RuntimeMetrics.Capability) == true;
        var key = $"{hub.Name}/{entity.ConsumerGroup}/{entity.PartitionId}".ToLowerInvariant();
        var receiver = new PartitionReceiverEndpoint(context.Link, partition, partition.Resolve(start), epoch, metrics, time, r => ownerLevels.Leave(key, r));
        if (ownerLevels.Admit(key, receiver) is { } refused)
        {
            return refused;
        }

        context.Attach.MaxMessageSize = EventHubsAmqp.MaxMessageBytes;
        context.Attach.OfferedCapabilities = metrics ? [EventHubsAmqp.RuntimeMetrics.Capability] : null;
        context.Complete(receiver, 0);
        LogReceiverAttached(key, start.ToString(), epoch);
        return null;
    }

    private static Error NotFound(string? address, string? description = null) =>
        new(EventHubsAmqp.Errors.NotFound) { Description = description ?? $"The messaging entity '{address}' could not be found." };

    private static Error Unauthorized(string? address) =>
        new(EventHubsAmqp.Errors.Unauthorized) { Description = $"Unauthorized access to '{address}': put a valid token for it on $cbs first." };

    [LoggerMessage(EventId = 4, EventName = "AttachRefused", Level = LogLevel.Warning, Message = "Attach to {Address} refused: {Condition} {Description}")]
    private partial void LogRefused(string address, string condition, string description);

    [LoggerMessage(EventId = 7, EventName = "AttachRefusedToOwner", Level = LogLevel.Information, Message = "Attach to {Address} refused: an owner holds it. {Description}")]
    private partial void LogOwnedElsewhere(string address, string description);

    [LoggerMessage(EventId = 5, EventName = "ReceiverAttached", Level = LogLevel.Information, Message = "Receiver on {Partition} from {Start} (epoch {Epoch})")]
    private partial void LogReceiverAttached(string partition, string start, long? epoch);
}
