using Microsoft.AspNetCore.SignalR;
using Serverless.SignalRService.Auth;

namespace Serverless.SignalRService.Hubs;

/// <summary>
/// The hub behind <c>/client</c>. In serverless mode clients only listen: the service sends to them on the REST API's
/// behalf. A client that invokes a hub method is refused and disconnected, as the service does when no upstream is
/// configured ("No server available", SignalR Service FAQ).
/// </summary>
internal sealed partial class ClientHub(ConnectionRegistry registry, ILogger<ClientHub> logger) : Hub
{
    /// <summary>What every client invocation is turned into by <see cref="ListenOnlyHubProtocol"/>.</summary>
    public const string RefusedInvocation = "asrs.refused";

    public const string NoServerAvailable = "No server available: client connections are listen-only in serverless mode without upstream.";

    private string ServiceHub => Context.User?.FindFirst(ClientAuthentication.HubClaim)?.Value
        ?? throw new HubException("The connection has no hub.");

    public override async Task OnConnectedAsync()
    {
        await registry.ConnectedAsync(ServiceHub, Context);
        LogConnected(ServiceHub, Context.ConnectionId, Context.UserIdentifier);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        registry.Disconnected(ServiceHub, Context);
        LogDisconnected(ServiceHub, Context.ConnectionId);
        return Task.CompletedTask;
    }

    [HubMethodName(RefusedInvocation)]
    public Task Refuse(string target)
    {
        LogRefused(ServiceHub, Context.ConnectionId, target);
        Context.Abort();
        throw new HubException(NoServerAvailable);
    }

    [LoggerMessage(EventId = 1, EventName = "ClientConnected", Level = LogLevel.Information, Message = "Hub {Hub}: connection {ConnectionId} (user {UserId}) connected")]
    private partial void LogConnected(string hub, string connectionId, string? userId);

    [LoggerMessage(EventId = 2, EventName = "ClientDisconnected", Level = LogLevel.Information, Message = "Hub {Hub}: connection {ConnectionId} disconnected")]
    private partial void LogDisconnected(string hub, string connectionId);

    [LoggerMessage(EventId = 3, EventName = "InvocationRefused", Level = LogLevel.Warning,
        Message = "Hub {Hub}: connection {ConnectionId} invoked '{Target}'; clients are listen-only in serverless mode, closing it")]
    private partial void LogRefused(string hub, string connectionId, string target);
}
