using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// The <c>$management</c> node: <c>READ</c> of a hub's or a partition's runtime information, answered as an AMQP map
/// with string keys and exactly the types the SDKs cast to (docs/event-hubs.md#management).
/// </summary>
internal sealed partial class ManagementNode(EventHubsOptions options, EventStore store, ConnectionGrants grants, TimeProvider time, ILogger<ManagementNode> logger)
{
    /// <summary>Answers one READ request.</summary>
    public NodeAnswer Handle(Message request, Connection connection)
    {
        var properties = request.ApplicationProperties;
        if (properties?[EventHubsAmqp.Management.Operation] as string != EventHubsAmqp.Management.Read)
        {
            return new(400, "only the READ operation is supported");
        }

        if (properties[EventHubsAmqp.Management.Name] is not string name || store.Hub(name) is not { } hub)
        {
            return new(404, $"The messaging entity '{properties[EventHubsAmqp.Management.Name]}' could not be found.");
        }

        if (!Authorized(properties, connection, hub.Name))
        {
            LogRefused(hub.Name);
            return new(401, "Unauthorized: put a token for the hub first, or pass one in security_token");
        }

        switch (properties[EventHubsAmqp.Management.Type] as string)
        {
            case EventHubsAmqp.Management.HubType:
                return new(200, "OK", new Map
                {
                    ["name"] = hub.Name,
                    ["created_at"] = hub.CreatedAt.UtcDateTime,
                    ["partition_count"] = hub.PartitionCount,
                    ["partition_ids"] = hub.PartitionIds.ToArray(),
                    ["type"] = EventHubsAmqp.Management.HubType,
                });
            case EventHubsAmqp.Management.PartitionType:
                var id = properties[EventHubsAmqp.Management.Partition] as string;
                if (id is null || hub.Partition(id) is not { } partition)
                {
                    return new(404, $"The messaging entity '{hub.Name}/Partitions/{id}' could not be found.");
                }

                var state = partition.State;
                return new(200, "OK", new Map
                {
                    ["name"] = hub.Name,
                    ["partition"] = id,
                    ["type"] = EventHubsAmqp.Management.PartitionType,
                    ["begin_sequence_number"] = state.BeginSequenceNumber,
                    ["last_enqueued_sequence_number"] = state.LastSequenceNumber,
                    ["last_enqueued_offset"] = state.LastOffset.ToString(),
                    ["last_enqueued_time_utc"] = state.IsEmpty ? DateTime.MinValue : state.LastEnqueuedTime.UtcDateTime,
                    ["is_partition_empty"] = state.IsEmpty,
                });
            default:
                return new(400, $"type must be {EventHubsAmqp.Management.HubType} or {EventHubsAmqp.Management.PartitionType}");
        }
    }

    private bool Authorized(ApplicationProperties properties, Connection connection, string hub)
    {
        if (properties[EventHubsAmqp.Management.SecurityToken] is string token)
        {
            try
            {
                return SasToken.Validate(token, options.KeyName, options.Key, time.GetUtcNow()).Covers(hub.ToLowerInvariant());
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        return grants.Allows(connection, hub.ToLowerInvariant()) || grants.Allows(connection, EventHubsAmqp.ManagementAddress);
    }

    [LoggerMessage(EventId = 2, EventName = "ManagementRefused", Level = LogLevel.Warning, Message = "$management READ of {Hub} refused: no valid token")]
    private partial void LogRefused(string hub);
}
