using System.Text.Json;
using Serverless.SignalRService.Hubs;

namespace Serverless.SignalRService.Rest;

/// <summary>
/// The data-plane REST API: v1 (<c>/api/v1/hubs/...</c>) and 2022-06-01 (<c>/api/hubs/...</c>), every route and
/// status code of docs/signalr-service.md#rest-api in one place. <see cref="RestGuard"/> checks each request before it gets here.
/// </summary>
internal static class RestApi
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static void MapRestApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/v1", "/api" })
        {
            app.MapMethods($"{prefix}/health", [HttpMethods.Get, HttpMethods.Head], () => Results.Ok());
        }

        var v1 = app.MapGroup("/api/v1/hubs/{hub}");
        v1.MapPost("", (RestRequest r, RestOperations ops) => Send(r, p => ops.SendToAllAsync(r.Hub, p, r.Excluded)));
        v1.MapPost("/users/{user}", (RestRequest r, string user, RestOperations ops) => Send(r, p => ops.SendToUserAsync(r.Hub, user, p)));
        v1.MapPost("/connections/{connectionId}", (RestRequest r, string connectionId, RestOperations ops) => Send(r, p => ops.SendToConnectionAsync(r.Hub, connectionId, p)));
        v1.MapMethods("/connections/{connectionId}", [HttpMethods.Get, HttpMethods.Head], async (RestRequest r, string connectionId, ConnectionRegistry registry) => Exists(await registry.ConnectionExistsAsync(r.Hub, connectionId)));
        v1.MapDelete("/connections/{connectionId}", (RestRequest r, string connectionId, RestOperations ops) => { ops.CloseConnection(r.Hub, connectionId); return Results.Accepted(); });
        v1.MapPost("/groups/{group}", (RestRequest r, string group, RestOperations ops) => Send(r, p => ops.SendToGroupAsync(r.Hub, group, p, r.Excluded)));
        v1.MapMethods("/groups/{group}", [HttpMethods.Get, HttpMethods.Head], (RestRequest r, string group, ConnectionRegistry registry) => Exists(registry.GroupExists(r.Hub, group)));
        v1.MapMethods("/users/{user}", [HttpMethods.Get, HttpMethods.Head], (RestRequest r, string user, ConnectionRegistry registry) => Exists(registry.UserExists(r.Hub, user)));
        v1.MapPut("/groups/{group}/connections/{connectionId}", async (RestRequest r, string group, string connectionId, ConnectionRegistry registry) => Exists(await registry.AddConnectionToGroupAsync(r.Hub, group, connectionId)));
        v1.MapDelete("/groups/{group}/connections/{connectionId}", async (RestRequest r, string group, string connectionId, ConnectionRegistry registry) => Exists(await registry.RemoveConnectionFromGroupAsync(r.Hub, group, connectionId)));
        v1.MapMethods("/groups/{group}/users/{user}", [HttpMethods.Get, HttpMethods.Head], (RestRequest r, string group, string user, ConnectionRegistry registry) => Exists(registry.UserInGroup(r.Hub, group, user)));
        v1.MapPut("/groups/{group}/users/{user}", async (RestRequest r, string group, string user, ConnectionRegistry registry) => { await registry.AddUserToGroupAsync(r.Hub, group, user, r.Ttl); return Results.Accepted(); });
        v1.MapDelete("/groups/{group}/users/{user}", async (RestRequest r, string group, string user, ConnectionRegistry registry) => { await registry.RemoveUserFromGroupAsync(r.Hub, group, user); return Results.Accepted(); });
        v1.MapDelete("/users/{user}/groups", async (RestRequest r, string user, ConnectionRegistry registry) => { await registry.RemoveUserFromAllGroupsAsync(r.Hub, user); return Results.Ok(); });

        var api = app.MapGroup("/api/hubs/{hub}");
        api.MapPost("/:send", (RestRequest r, RestOperations ops) => Send(r, p => ops.SendToAllAsync(r.Hub, p, r.Excluded)));
        api.MapPost("/users/{user}/:send", (RestRequest r, string user, RestOperations ops) => Send(r, p => ops.SendToUserAsync(r.Hub, user, p)));
        api.MapPost("/connections/{connectionId}/:send", (RestRequest r, string connectionId, RestOperations ops) => Send(r, p => ops.SendToConnectionAsync(r.Hub, connectionId, p)));
        api.MapPost("/groups/{group}/:send", (RestRequest r, string group, RestOperations ops) => Send(r, p => ops.SendToGroupAsync(r.Hub, group, p, r.Excluded)));
        api.MapPost("/:closeConnections", (RestRequest r, ConnectionRegistry registry, RestOperations ops) => NoContent(() => ops.CloseConnections(registry.Connections(r.Hub, (id, _) => !r.Excluded.Contains(id)))));
        api.MapPost("/groups/{group}/:closeConnections", (RestRequest r, string group, ConnectionRegistry registry, RestOperations ops) => NoContent(() => ops.CloseConnections(registry.GroupConnections(r.Hub, group).Where(c => !r.Excluded.Contains(c.ConnectionId)))));
        api.MapPost("/users/{user}/:closeConnections", (RestRequest r, string user, ConnectionRegistry registry, RestOperations ops) => NoContent(() => ops.CloseConnections(registry.Connections(r.Hub, (id, u) => u == user && !r.Excluded.Contains(id)))));
        api.MapDelete("/connections/{connectionId}", (RestRequest r, string connectionId, RestOperations ops) => { ops.CloseConnection(r.Hub, connectionId); return Results.Ok(); });
        api.MapMethods("/connections/{connectionId}", [HttpMethods.Head, HttpMethods.Get], async (RestRequest r, string connectionId, ConnectionRegistry registry) => Exists(await registry.ConnectionExistsAsync(r.Hub, connectionId)));
        api.MapDelete("/connections/{connectionId}/groups", async (RestRequest r, string connectionId, ConnectionRegistry registry) => Exists(await registry.RemoveConnectionFromAllGroupsAsync(r.Hub, connectionId)));
        api.MapMethods("/groups/{group}", [HttpMethods.Head, HttpMethods.Get], (RestRequest r, string group, ConnectionRegistry registry) => Exists(registry.GroupExists(r.Hub, group)));
        api.MapPut("/groups/{group}/connections/{connectionId}", async (RestRequest r, string group, string connectionId, ConnectionRegistry registry) => Exists(await registry.AddConnectionToGroupAsync(r.Hub, group, connectionId)));
        api.MapDelete("/groups/{group}/connections/{connectionId}", async (RestRequest r, string group, string connectionId, ConnectionRegistry registry) => Exists(await registry.RemoveConnectionFromGroupAsync(r.Hub, group, connectionId)));
        api.MapMethods("/users/{user}", [HttpMethods.Head, HttpMethods.Get], (RestRequest r, string user, ConnectionRegistry registry) => Exists(registry.UserExists(r.Hub, user)));
        api.MapDelete("/users/{user}/groups", async (RestRequest r, string user, ConnectionRegistry registry) => { await registry.RemoveUserFromAllGroupsAsync(r.Hub, user); return Results.NoContent(); });
        api.MapPut("/users/{user}/groups/{group}", async (RestRequest r, string user, string group, ConnectionRegistry registry) => { await registry.AddUserToGroupAsync(r.Hub, group, user, r.Ttl); return Results.Ok(); });
        api.MapDelete("/users/{user}/groups/{group}", async (RestRequest r, string user, string group, ConnectionRegistry registry) => { await registry.RemoveUserFromGroupAsync(r.Hub, group, user); return Results.NoContent(); });
        api.MapMethods("/users/{user}/groups/{group}", [HttpMethods.Head, HttpMethods.Get], (RestRequest r, string user, string group, ConnectionRegistry registry) => Exists(registry.UserInGroup(r.Hub, group, user)));
    }

    private static async Task<IResult> Send(RestRequest request, Func<Payload, Task> send)
    {
        Payload payload;
        try
        {
            payload = Payload.Parse(request.Body ?? throw new BadRequestException("The body is required: {\"target\": \"...\", \"arguments\": [...]}."));
        }
        catch (BadRequestException ex)
        {
            return ErrorDetail.Result(StatusCodes.Status400BadRequest, ex.Message);
        }

        await send(payload);
        return Results.Accepted();
    }

    private static IResult Exists(bool exists) => exists ? Results.Ok() : Results.NotFound();

    private static IResult NoContent(Action action)
    {
        action();
        return Results.NoContent();
    }
}

/// <summary>A REST request that passed <see cref="RestGuard"/>: the normalized hub, the query options and the JSON body, if any.</summary>
internal sealed record RestRequest(string Hub, string[] Excluded, TimeSpan? Ttl, JsonElement? Body)
{
    // Minimal APIs bind a parameter of this type from what the guard left on the request.
    public static ValueTask<RestRequest?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items[typeof(RestRequest)] as RestRequest);
}
