using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// The <c>$cbs</c> node: <c>put-token</c> with a SAS token grants the connection the entity the token names
/// (docs/event-hubs.md#cbs). Answers 202 Accepted, or 401/400/404 with a description.
/// </summary>
internal sealed partial class CbsNode(EventHubsOptions options, EventStore store, ConnectionGrants grants, TimeProvider time, ILogger<CbsNode> logger)
{
    /// <summary>Answers one put-token request.</summary>
    public NodeAnswer Handle(Message request, Connection connection)
    {
        var properties = request.ApplicationProperties;
        if (properties?[EventHubsAmqp.Cbs.Operation] as string != EventHubsAmqp.Cbs.PutToken)
        {
            return new(400, "only the put-token operation is supported");
        }

        if (properties[EventHubsAmqp.Cbs.Type] as string != EventHubsAmqp.Cbs.SasTokenType)
        {
            return new(401, $"token type '{properties[EventHubsAmqp.Cbs.Type]}' is not supported: use a shared access signature");
        }

        if (request.Body is not string token || properties[EventHubsAmqp.Cbs.Name] is not string audience)
        {
            return new(400, "put-token needs the token as a string body and the audience in 'name'");
        }

        try
        {
            var grant = SasToken.Validate(token, options.KeyName, options.Key, time.GetUtcNow());
            var entity = SasToken.EntityPath(audience);
            if (!grant.Covers(entity))
            {
                throw new UnauthorizedAccessException($"the token is for '{grant.Path}', not '{entity}'");
            }

            if (!store.Knows(entity))
            {
                LogRefused(audience, "no such entity");
                return new(404, $"The messaging entity '{entity}' could not be found.");
            }

            grants.Grant(connection, entity, grant.Expires);
            return new(202, "Accepted");
        }
        catch (UnauthorizedAccessException ex)
        {
            LogRefused(audience, ex.Message);
            return new(401, $"Unauthorized: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = 1, EventName = "TokenRefused", Level = LogLevel.Warning, Message = "CBS put-token for {Audience} refused: {Reason}")]
    private partial void LogRefused(string audience, string reason);
}
