using Amqp.Handler;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// Holds the listener's <c>open</c> back for a moment after SASL. AMQPNetLite's listener sends its protocol header and
/// <c>open</c> right after the SASL outcome, before the client's header; when those bytes reach the JS SDK (rhea) in
/// the same read as the outcome, rhea keeps them unparsed until more data arrives, and both sides wait for each
/// other. The service itself answers the client's header, so the client never sees them together; the pause gives
/// the same effect: the <c>open</c> arrives in a read of its own and rhea parses everything it holds.
/// </summary>
internal sealed class OpenAfterSasl : IHandler
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(25);

    public bool CanHandle(global::Amqp.Handler.EventId id) => id == global::Amqp.Handler.EventId.ConnectionLocalOpen;

    public void Handle(Event protocolEvent) => Thread.Sleep(Pause);
}
