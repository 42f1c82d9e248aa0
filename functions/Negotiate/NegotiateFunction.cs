using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Functions.Negotiate;

/// <summary>
/// <c>POST /api/negotiate</c>: where a SignalR client connects, <c>{url, accessToken}</c>, as the host's
/// <c>signalRConnectionInfo</c> binding makes it for the hub (signed with the connection string's key; the app holds
/// no client-token code). Connections are anonymous: nothing in the pipeline sends to users.
/// </summary>
public static class NegotiateFunction
{
    [Function("Negotiate")]
    public static Ok<SignalRConnectionInfo> Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "negotiate")] HttpRequest request,
        [SignalRConnectionInfoInput(HubName = "%SignalR:HubName%")] SignalRConnectionInfo connectionInfo) =>
        TypedResults.Ok(connectionInfo);
}
