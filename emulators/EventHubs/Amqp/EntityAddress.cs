namespace Serverless.EventHubs.Amqp;

/// <summary>
/// A link address: <c>hub</c> or <c>hub/Partitions/id</c> to send, <c>hub/ConsumerGroups/cg/Partitions/id</c> to
/// receive. A leading <c>/</c> (the .NET SDK's) is tolerated; names compare case-insensitively (docs/event-hubs.md#link-addresses).
/// </summary>
internal sealed record EntityAddress(string Hub, string? ConsumerGroup, string? PartitionId)
{
    public static EntityAddress? Parse(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }

        var parts = address.Trim('/').Split('/');
        return parts switch
        {
            [var hub] => new EntityAddress(hub, null, null),
            [var hub, var p, var id] when p.Equals("Partitions", StringComparison.OrdinalIgnoreCase) => new EntityAddress(hub, null, id),
            [var hub, var c, var group, var p, var id] when c.Equals("ConsumerGroups", StringComparison.OrdinalIgnoreCase)
                && p.Equals("Partitions", StringComparison.OrdinalIgnoreCase) => new EntityAddress(hub, group, id),
            _ => null,
        };
    }

    /// <summary>The path a CBS grant must cover.</summary>
    public string EntityPath => SasToken.EntityPath(
        ConsumerGroup is not null ? $"{Hub}/ConsumerGroups/{ConsumerGroup}/Partitions/{PartitionId}"
        : PartitionId is not null ? $"{Hub}/Partitions/{PartitionId}"
        : Hub);
}
