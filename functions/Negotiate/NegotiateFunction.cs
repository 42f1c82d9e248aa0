using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Functions.Access;
using Serverless.Pipeline.Push;

namespace Serverless.Functions.Negotiate;

/// <summary>
/// <c>POST /api/negotiate</c>: where a SignalR client connects, <c>{url, accessToken, userId}</c>. The token names the
/// caller's user id, or a new anonymous id for an anonymous caller, and lasts no longer than the caller's own token.
/// Anyone may negotiate: what a connection receives is decided by the subscriptions, channel by channel
/// (docs/identity.md#connections-belong-to-users).
/// </summary>
public sealed class NegotiateFunction(ClientTokens tokens)
{
    [Function("Negotiate")]
    public Ok<NegotiateResponse> Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "negotiate")] HttpRequest request,
        FunctionContext context) =>
        TypedResults.Ok(tokens.Issue(context.GetCaller()));
}
