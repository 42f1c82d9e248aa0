using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// A request/response node such as <c>$cbs</c> or <c>$management</c>: clients attach a sending link for requests and a
/// receiving link for responses, and name the latter in each request's <c>reply-to</c>. The .NET SDK names it by the
/// link's target address, the JS SDK by the link's name, so both are matched.
/// </summary>
internal sealed class RequestResponseNode(string address, Func<Message, Connection, NodeAnswer> handle)
{
    private readonly ConcurrentDictionary<(Connection, string), ListenerLink> replyLinks = new();

    public string Address => address;

    public bool Handles(string? linkAddress) =>
        linkAddress is not null && linkAddress.Trim('/').Equals(address, StringComparison.OrdinalIgnoreCase);

    public void Attach(AttachContext context)
    {
        var connection = context.Link.Session.Connection;
        if (context.Attach.Role)
        {
            var names = new[] { (context.Attach.Target as Target)?.Address, context.Attach.LinkName }.OfType<string>().Distinct().ToArray();
            foreach (var name in names)
            {
                replyLinks[(connection, name)] = context.Link;
            }

            context.Complete(new ReplyEndpoint(() => { foreach (var name in names) { replyLinks.TryRemove((connection, name), out _); } }), 0);
        }
        else
        {
            context.Complete(new RequestEndpoint(this, connection), 100);
        }
    }

    private void Respond(MessageContext context, Connection connection)
    {
        var request = context.Message;
        var replyTo = request.Properties?.ReplyTo;
        if (replyTo is null || !replyLinks.TryGetValue((connection, replyTo), out var link))
        {
            context.Complete(new Error(ErrorCode.NotFound) { Description = $"No response link named '{replyTo}' is attached to {address}." });
            return;
        }

        var response = handle(request, connection).ToMessage();
        response.Properties = new Properties();
        response.Properties.SetCorrelationId(request.Properties!.GetMessageId());
        response.Properties.To = replyTo;
        context.Complete();
        link.SendMessage(response);
    }

    private sealed class RequestEndpoint(RequestResponseNode node, Connection connection) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext) => node.Respond(messageContext, connection);

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
        }
    }

    private sealed class ReplyEndpoint(Action closed) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext) =>
            messageContext.Complete(new Error(ErrorCode.NotAllowed) { Description = "Responses flow the other way." });

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
            if (!dispositionContext.Settled)
            {
                dispositionContext.Complete();
            }
        }

        public override void OnLinkClosed(ListenerLink link, Error error) => closed();
    }
}

/// <summary>
/// A node's answer to a request: an HTTP-style status, its description and an optional body. Failures also carry the
/// <c>error-condition</c> the status stands for, so that clients raise the matching error (docs/event-hubs.md#errors).
/// </summary>
internal sealed record NodeAnswer(int Status, string Description, object? Body = null)
{
    public Message ToMessage()
    {
        var response = new Message(Body)
        {
            ApplicationProperties = new ApplicationProperties
            {
                [EventHubsAmqp.Status.Code] = Status,
                [EventHubsAmqp.Status.Description] = Description,
            },
        };
        if (EventHubsAmqp.Status.ConditionOf(Status) is { } condition)
        {
            response.ApplicationProperties[EventHubsAmqp.Status.ErrorCondition] = condition;
        }

        return response;
    }
}
