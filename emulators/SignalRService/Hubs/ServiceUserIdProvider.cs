using Microsoft.AspNetCore.SignalR;

namespace Serverless.SignalRService.Hubs;

/// <summary>The user id of a client connection: claim <c>asrs.s.uid</c>, else <c>nameid</c> (docs/signalr-service.md#tokens).</summary>
internal sealed class ServiceUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.User.FindFirst("asrs.s.uid")?.Value ?? connection.User.FindFirst("nameid")?.Value;
}
