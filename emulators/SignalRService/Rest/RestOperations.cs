using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Serverless.SignalRService.Hubs;

namespace Serverless.SignalRService.Rest;

/// <summary>What each REST route does. Routes and their status codes are in <see cref="RestApi"/>.</summary>
internal sealed class RestOperations(ConnectionRegistry registry, IHubContext<ClientHub> hubContext)
{
    private IHubClients Clients => hubContext.Clients;

    public Task SendToAllAsync(string hub, Payload payload, string[] excluded) =>
        Clients.GroupExcept(LifetimeGroups.All(hub), excluded).SendCoreAsync(payload.Target, payload.Arguments);

    public Task SendToGroupAsync(string hub, string group, Payload payload, string[] excluded) =>
        Clients.GroupExcept(LifetimeGroups.Group(hub, group), excluded).SendCoreAsync(payload.Target, payload.Arguments);

    public Task SendToUserAsync(string hub, string user, Payload payload) =>
        Clients.Group(LifetimeGroups.User(hub, user)).SendCoreAsync(payload.Target, payload.Arguments);

    public async Task SendToConnectionAsync(string hub, string connectionId, Payload payload)
    {
        // A connection of another hub is not this hub's to reach.
        if (await registry.ConnectionExistsAsync(hub, connectionId))
        {
            await Clients.Client(connectionId).SendCoreAsync(payload.Target, payload.Arguments);
        }
    }

    public void CloseConnections(IEnumerable<HubCallerContext> connections)
    {
        foreach (var connection in connections)
        {
            connection.Abort();
        }
    }

    public bool CloseConnection(string hub, string connectionId)
    {
        var connection = registry.Connections(hub, (id, _) => id == connectionId);
        CloseConnections(connection);
        return connection.Count > 0;
    }
}

/// <summary>A send's body <c>{"target": "...", "arguments": [...]}</c>, with arguments as plain values any protocol can write.</summary>
internal sealed record Payload(string Target, object?[] Arguments)
{
    public static Payload Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException("The body must be a JSON object {\"target\": \"...\", \"arguments\": [...]}.");
        }

        if (!body.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.String || target.GetString()!.Length == 0)
        {
            throw new BadRequestException("target is required: the name of the client method to invoke.");
        }

        object?[] arguments = [];
        if (body.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
        {
            if (args.ValueKind != JsonValueKind.Array)
            {
                throw new BadRequestException("arguments must be an array.");
            }

            arguments = [.. args.EnumerateArray().Select(PlainValue)];
        }

        return new Payload(target.GetString()!, arguments);
    }

    // JSON and MessagePack clients both get the arguments; JsonElement is something only the JSON protocol can write.
    private static object? PlainValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => PlainValue(p.Value)),
        JsonValueKind.Array => value.EnumerateArray().Select(PlainValue).ToArray(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var integer) => integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

internal sealed class BadRequestException(string message) : Exception(message);
