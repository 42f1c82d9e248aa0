using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Serverless.EventHubs.Client;

/// <summary>
/// Sends events to a hub, to a partition key (same key, same partition, in order) or to a partition. Events go in
/// batch envelopes (format <c>0x80013700</c>, one Data section per encoded event) kept under the 1 MB event limit.
/// </summary>
public sealed class EventHubProducer(EventHubsConnection connection, string hub) : IAsyncDisposable
{
    public const int MaxBatchBytes = 1024 * 1024 - 4 * 1024;
    private const uint BatchFormat = 0x80013700;
    private static readonly Symbol PartitionKeyAnnotation = "x-opt-partition-key";
    private readonly Dictionary<string, SenderLink> senders = [];

    public async Task SendAsync(IReadOnlyList<EventData> events, string? partitionKey = null, string? partitionId = null)
    {
        var address = partitionId is null ? hub : $"{hub}/Partitions/{partitionId}";
        var sender = await SenderAsync(address);
        foreach (var batch in Batches(events, partitionKey))
        {
            await sender.SendAsync(batch);
        }
    }

    /// <summary>Sends one message as given, without splitting it; for callers who must control the envelope.</summary>
    public async Task SendRawAsync(Message message, string? partitionId = null) =>
        await (await SenderAsync(partitionId is null ? hub : $"{hub}/Partitions/{partitionId}")).SendAsync(message);

    public static IEnumerable<Message> Batches(IReadOnlyList<EventData> events, string? partitionKey)
    {
        var current = new List<byte[]>();
        var size = 0;
        foreach (var e in events)
        {
            var encoded = Encode(e, partitionKey);
            if (current.Count > 0 && size + encoded.Length + 8 > MaxBatchBytes)
            {
                yield return Envelope(current, partitionKey);
                current = [];
                size = 0;
            }

            current.Add(encoded);
            size += encoded.Length + 8;
        }

        if (current.Count > 0)
        {
            yield return Envelope(current, partitionKey);
        }
    }

    private static Message Envelope(List<byte[]> encoded, string? partitionKey)
    {
        var body = new DataList();
        foreach (var bytes in encoded)
        {
            body.Add(new Data { Binary = bytes });
        }

        var envelope = new Message { BodySection = body, Format = BatchFormat };
        if (partitionKey is not null)
        {
            envelope.MessageAnnotations = new MessageAnnotations { [PartitionKeyAnnotation] = partitionKey };
        }

        return envelope;
    }

    private static byte[] Encode(EventData e, string? partitionKey)
    {
        var message = new Message { BodySection = new Data { Binary = e.Body.ToArray() } };
        if (e.Properties is { Count: > 0 })
        {
            message.ApplicationProperties = new ApplicationProperties();
            foreach (var (name, value) in e.Properties)
            {
                message.ApplicationProperties[name] = value;
            }
        }

        if (partitionKey is not null)
        {
            message.MessageAnnotations = new MessageAnnotations { [PartitionKeyAnnotation] = partitionKey };
        }

        var buffer = message.Encode();
        return buffer.Buffer.AsSpan(buffer.Offset, buffer.Length).ToArray();
    }

    private async Task<SenderLink> SenderAsync(string address)
    {
        await connection.AuthorizeAsync(address);
        lock (senders)
        {
            if (!senders.TryGetValue(address, out var sender))
            {
                senders[address] = sender = new SenderLink(connection.Session, $"producer-{Guid.NewGuid():N}", address);
            }

            return sender;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in senders.Values)
        {
            await sender.CloseAsync();
        }
    }
}
