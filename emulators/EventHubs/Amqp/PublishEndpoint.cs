using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// A producer's link to a hub or to one of its partitions. Each delivery (one event, or a batch envelope of format
/// <c>0x80013700</c> whose Data sections are encoded events, docs/event-hubs.md#events-on-the-wire) is stored in one partition, on
/// disk, before it is accepted. A delivery over 1 MB is rejected with <c>amqp:link:message-size-exceeded</c>.
/// </summary>
internal sealed partial class PublishEndpoint(EventHub hub, PartitionLog? fixedPartition, ILogger logger) : LinkEndpoint
{
    public override void OnMessage(MessageContext messageContext)
    {
        try
        {
            var (events, size) = Unbatch(messageContext.Message);
            if (size > EventHubsAmqp.MaxMessageBytes)
            {
                messageContext.Complete(new Error(EventHubsAmqp.Errors.MessageSizeExceeded)
                {
                    Description = $"The received message is {size} bytes; the maximum is {EventHubsAmqp.MaxMessageBytes}.",
                });
                return;
            }

            var partitionKey = PartitionKeyOf(messageContext.Message) ?? events.Select(PartitionKeyOf).FirstOrDefault(k => k is not null);
            var partition = fixedPartition ?? hub.PartitionFor(partitionKey);
            partition.Append([.. events.Select(e => Encoder(e, partitionKey))]);
            messageContext.Complete();
        }
        catch (AmqpException ex)
        {
            messageContext.Complete(ex.Error);
        }
        catch (Exception ex) when (ex is IOException or InvalidCastException or ArgumentException)
        {
            LogStoreFailed(ex, hub.Name);
            messageContext.Complete(new Error(ErrorCode.InternalError) { Description = ex.Message });
        }
    }

    public override void OnFlow(FlowContext flowContext)
    {
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }

    private static (List<Message> Events, long Size) Unbatch(Message message)
    {
        if (message.Format != EventHubsAmqp.BatchFormat)
        {
            return ([message], Encoded(message).Length);
        }

        var sections = message.BodySection switch
        {
            DataList list => Enumerable.Range(0, list.Count).Select(i => list[i].Binary).ToList(),
            Data data => [data.Binary],
            _ => throw new AmqpException(EventHubsAmqp.Errors.DecodeError, "A batch's body must be Data sections, each an encoded event."),
        };
        var events = sections.Select(bytes => Message.Decode(new ByteBuffer(bytes, 0, bytes.Length, bytes.Length))).ToList();
        return (events, sections.Sum(s => (long)s.Length));
    }

    // The stored form of an event: as sent, with the service's annotations and without the sender's delivery annotations.
    private static Func<long, long, DateTimeOffset, byte[]> Encoder(Message message, string? partitionKey) => (sequence, offset, enqueued) =>
    {
        message.DeliveryAnnotations = null;
        message.MessageAnnotations ??= new MessageAnnotations();
        message.MessageAnnotations[EventHubsAmqp.Annotations.SequenceNumber] = sequence;
        message.MessageAnnotations[EventHubsAmqp.Annotations.Offset] = offset.ToString();
        message.MessageAnnotations[EventHubsAmqp.Annotations.EnqueuedTime] = enqueued.UtcDateTime;
        if (partitionKey is not null)
        {
            message.MessageAnnotations[EventHubsAmqp.Annotations.PartitionKey] = partitionKey;
        }

        return Encoded(message);
    };

    private static string? PartitionKeyOf(Message message) =>
        message.MessageAnnotations?[EventHubsAmqp.Annotations.PartitionKey] as string;

    private static byte[] Encoded(Message message)
    {
        var buffer = message.Encode();
        return buffer.Buffer.AsSpan(buffer.Offset, buffer.Length).ToArray();
    }

    [LoggerMessage(EventId = 3, EventName = "StoreFailed", Level = LogLevel.Error, Message = "Could not store events sent to {Hub}")]
    private partial void LogStoreFailed(Exception exception, string hub);
}
