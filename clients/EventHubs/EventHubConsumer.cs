using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Serverless.EventHubs.Client;

/// <summary>Reads one partition of a consumer group from a position, optionally with an owner level.</summary>
public sealed class EventHubConsumer : IAsyncDisposable
{
    private const ulong SelectorFilterCode = 0x00000137000000A;
    private static readonly Symbol SelectorFilter = "apache.org:selector-filter:string";
    private readonly ReceiverLink receiver;

    private EventHubConsumer(ReceiverLink receiver) => this.receiver = receiver;

    /// <param name="trackLastEnqueued">Asks for the partition's last enqueued event with every event (runtime metrics).</param>
    public static async Task<EventHubConsumer> OpenAsync(EventHubsConnection connection, string hub, string consumerGroup, string partitionId,
        EventPosition position, long? ownerLevel = null, int prefetch = 300, bool trackLastEnqueued = false)
    {
        var address = $"{hub}/ConsumerGroups/{consumerGroup}/Partitions/{partitionId}";
        await connection.AuthorizeAsync(address);
        var attach = new Attach
        {
            Source = new Source
            {
                Address = address,
                FilterSet = new Map { [SelectorFilter] = new DescribedValue(SelectorFilterCode, position.Expression) },
            },
            Target = new Target(),
        };
        if (trackLastEnqueued)
        {
            attach.DesiredCapabilities = [new Symbol("com.microsoft:enable-receiver-runtime-metric")];
        }

        if (ownerLevel is { } epoch)
        {
            attach.Properties = new Fields { [new Symbol("com.microsoft:epoch")] = epoch };
        }

        var receiver = new ReceiverLink(connection.Session, $"consumer-{Guid.NewGuid():N}", attach, null);
        receiver.SetCredit(prefetch);
        return new EventHubConsumer(receiver);
    }

    /// <summary>Up to <paramref name="max"/> events: waits up to <paramref name="wait"/> for the first, then takes what has arrived.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> ReceiveAsync(int max, TimeSpan wait)
    {
        var events = new List<ReceivedEvent>();
        var message = await receiver.ReceiveAsync(wait);
        while (message is not null)
        {
            receiver.Accept(message);
            events.Add(ToEvent(message));
            message = events.Count < max ? await receiver.ReceiveAsync(TimeSpan.FromMilliseconds(20)) : null;
        }

        return events;
    }

    private static ReceivedEvent ToEvent(Message message)
    {
        var annotations = message.MessageAnnotations;
        var properties = message.ApplicationProperties?.Map.ToDictionary(p => p.Key.ToString()!, p => p.Value) ?? [];
        return new ReceivedEvent(
            message.Body as byte[] ?? [],
            Convert.ToInt64(annotations[new Symbol("x-opt-sequence-number")]),
            annotations[new Symbol("x-opt-offset")]?.ToString() ?? "",
            new DateTimeOffset(DateTime.SpecifyKind((DateTime)annotations[new Symbol("x-opt-enqueued-time")], DateTimeKind.Utc)),
            annotations[new Symbol("x-opt-partition-key")] as string,
            properties,
            message.DeliveryAnnotations?[new Symbol("last_enqueued_sequence_number")] is { } last ? Convert.ToInt64(last) : null);
    }

    public async ValueTask DisposeAsync() => await receiver.CloseAsync();
}
