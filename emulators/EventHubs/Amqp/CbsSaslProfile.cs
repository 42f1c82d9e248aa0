using Amqp;
using Amqp.Sasl;
using Amqp.Types;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// SASL <c>MSSBCBS</c>, which the .NET SDK offers (docs/event-hubs.md#connection-and-sasl): like ANONYMOUS, it authenticates nothing;
/// the client puts a token on <c>$cbs</c> next.
/// </summary>
internal sealed class CbsSaslProfile() : SaslProfile(Name)
{
    public const string Name = "MSSBCBS";

    protected override ITransport UpgradeTransport(ITransport transport) => transport;

    protected override DescribedList GetStartCommand(string hostname) => null!;

    protected override DescribedList OnCommand(DescribedList command) =>
        command is SaslInit ? new SaslOutcome { Code = SaslCode.Ok } : throw new AmqpException(ErrorCode.NotAllowed, command.ToString());
}
