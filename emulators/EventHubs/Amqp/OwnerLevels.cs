using Amqp.Framing;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// Owner levels (<c>com.microsoft:epoch</c>) per consumer group and partition: a receiver with an epoch takes the
/// partition from receivers with a lower one or none, which are disconnected with <c>amqp:link:stolen</c>; a receiver
/// with a lower epoch, or none while an epoch receiver holds the partition, is refused with the same condition.
/// </summary>
internal sealed class OwnerLevels
{
    private readonly Dictionary<string, List<PartitionReceiverEndpoint>> holders = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Admits a receiver, or returns why not; disconnects the receivers it takes over from.</summary>
    public Error? Admit(string key, PartitionReceiverEndpoint receiver)
    {
        List<PartitionReceiverEndpoint> taken;
        lock (holders)
        {
            var current = holders.TryGetValue(key, out var list) ? list : holders[key] = [];
            var highest = current.Where(r => r.Epoch is not null).Select(r => r.Epoch!.Value).DefaultIfEmpty(long.MinValue).Max();
            if (current.Any(r => r.Epoch is not null) && (receiver.Epoch is null || receiver.Epoch < highest))
            {
                return new Error(EventHubsAmqp.Errors.Stolen)
                {
                    Description = $"Receiver refused: a receiver with epoch {highest} holds {key}; use an epoch of at least {highest}.",
                };
            }

            taken = receiver.Epoch is null ? [] : [.. current];
            current.RemoveAll(taken.Contains);
            current.Add(receiver);
        }

        foreach (var previous in taken)
        {
            previous.Disconnect(new Error(EventHubsAmqp.Errors.Stolen)
            {
                Description = $"New receiver with epoch {receiver.Epoch} connected to {key}; receiver with epoch {previous.Epoch?.ToString() ?? "none"} is disconnected.",
            });
        }

        return null;
    }

    public void Leave(string key, PartitionReceiverEndpoint receiver)
    {
        lock (holders)
        {
            if (holders.TryGetValue(key, out var list))
            {
                list.Remove(receiver);
            }
        }
    }
}
