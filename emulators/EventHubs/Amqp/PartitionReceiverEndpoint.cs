using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// A consumer's link to one partition: sends stored events from its start position on, no more than the link credit
/// the consumer gives, waiting for new events when it has read them all. With the runtime-metric capability each
/// event carries the partition's last enqueued event in its delivery annotations.
/// </summary>
internal sealed class PartitionReceiverEndpoint(ListenerLink link, PartitionLog partition, long startSequence, long? epoch, bool runtimeMetrics, TimeProvider time, Action<PartitionReceiverEndpoint> closed)
    : LinkEndpoint
{
    private const int ReadChunk = 100;
    private readonly CancellationTokenSource stop = new();
    private readonly object gate = new();
    private TaskCompletionSource creditArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? pump;

    // Link flow control, counted from the attach: deliveries sent, the listener's own limit (sent + its credit), and
    // the consumer's limit (the delivery count up to which it allows transfers).
    private long delivered;
    private long listenerLimit;
    private long consumerLimit;

    public long? Epoch => epoch;

    public override void OnFlow(FlowContext flowContext)
    {
        lock (gate)
        {
            // The listener reports the consumer's new limit as a change against its own limit (sent + credit), which a
            // send leaves as it is; it resets its credit to zero when the change is not positive.
            consumerLimit = listenerLimit + flowContext.Messages;
            listenerLimit = flowContext.Messages > 0 ? consumerLimit : delivered;
            creditArrived.TrySetResult();
            pump ??= Task.Run(PumpAsync);
        }
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        if (!dispositionContext.Settled)
        {
            dispositionContext.Complete();
        }
    }

    public override void OnMessage(MessageContext messageContext) =>
        messageContext.Complete(new Error(ErrorCode.NotAllowed) { Description = "This link receives events; it does not take any." });

    public override void OnLinkClosed(ListenerLink link, Error error)
    {
        stop.Cancel();
        closed(this);
    }

    /// <summary>Closes the link with an error, as when a receiver with a higher epoch takes the partition.</summary>
    public void Disconnect(Error error)
    {
        stop.Cancel();
        link.Close(TimeSpan.Zero, error);
    }

    private async Task PumpAsync()
    {
        var next = startSequence;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var available = await CreditAsync();
                var appended = partition.WhenAppended(stop.Token);
                var events = partition.Read(next, Math.Min(available, ReadChunk));
                if (events.Count == 0)
                {
                    if (link.IsDraining)
                    {
                        lock (gate)
                        {
                            delivered = consumerLimit;
                            listenerLimit = consumerLimit;
                        }

                        link.CompleteDrain();
                        continue;
                    }

                    await appended;
                    continue;
                }

                foreach (var stored in events)
                {
                    lock (gate)
                    {
                        link.SendMessage(ToMessage(stored));
                        delivered++;
                    }

                    next = stored.SequenceNumber + 1;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
        {
            // The link or its connection closed while sending.
            stop.Cancel();
        }
    }

    private async Task<int> CreditAsync()
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (consumerLimit > delivered)
                {
                    return (int)Math.Min(int.MaxValue, consumerLimit - delivered);
                }

                creditArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = creditArrived.Task;
            }

            await wait.WaitAsync(stop.Token);
        }
    }

    private Message ToMessage(StoredEvent stored)
    {
        var bytes = stored.Message.ToArray();
        var message = Message.Decode(new ByteBuffer(bytes, 0, bytes.Length, bytes.Length));
        if (runtimeMetrics)
        {
            var state = partition.State;
            message.DeliveryAnnotations = new DeliveryAnnotations
            {
                [EventHubsAmqp.RuntimeMetrics.LastSequenceNumber] = state.LastSequenceNumber,
                [EventHubsAmqp.RuntimeMetrics.LastOffset] = state.LastOffset.ToString(),
                [EventHubsAmqp.RuntimeMetrics.LastEnqueuedTime] = state.LastEnqueuedTime.UtcDateTime,
                [EventHubsAmqp.RuntimeMetrics.RetrievalTime] = time.GetUtcNow().UtcDateTime,
            };
        }

        return message;
    }
}
