using Microsoft.Azure.Functions.Worker;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Serverless.TestApp;

/// <summary>Negotiate as the SignalR binding makes it: the host's <c>signalRConnectionInfo</c> input, answered as it came.</summary>
public static class BindingNegotiateFunction
{
    [Function("BindingNegotiate")]
    public static IActionResult Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "negotiate")] HttpRequest request,
        [SignalRConnectionInfoInput(HubName = "%SignalR:HubName%", UserId = "{headers.x-test-user}")] SignalRConnectionInfo connectionInfo) =>
        new OkObjectResult(connectionInfo);
}
