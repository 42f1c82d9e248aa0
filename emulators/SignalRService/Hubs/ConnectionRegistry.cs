using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;

namespace Serverless.SignalRService.Hubs;

/// <summary>
/// Who is connected to which hub, in which groups, and which users belong to which groups (with a time to live).
/// Hubs are isolated as in the service: each hub has its own connections, groups and users. Messages travel through
/// SignalR's own lifetime manager, in groups named per hub (<see cref="LifetimeGroups"/>), so a send to a group is
/// serialized once per protocol; this registry answers the questions the lifetime manager can't (exists? who?).
/// </summary>
internal sealed class ConnectionRegistry(IHubContext<ClientHub> hubContext, TimeProvider time)
{
    // The client sees its handshake completed before the hub's OnConnectedAsync has run; until then a connection is
    // "opening", and membership changes for it wait (as they would at the service, which knows it from the start).
    private static readonly TimeSpan OpeningTimeout = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> opening = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HubState> hubs = new(StringComparer.Ordinal);

    private IGroupManager Groups => hubContext.Groups;

    /// <summary>Connection middleware: tracks a client connection from the moment its transport opens.</summary>
    public async Task TrackAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var connected = opening.GetOrAdd(connection.ConnectionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await next(connection);
        }
        finally
        {
            opening.TryRemove(connection.ConnectionId, out _);
            connected.TrySetResult();
        }
    }

    /// <summary>Client connections whose transport is open, in every hub: what the connection quota counts.</summary>
    public int OpenConnections => opening.Count;

    private async Task WhenOpenedAsync(string connectionId)
    {
        if (opening.TryGetValue(connectionId, out var connected))
        {
            await connected.Task.WaitAsync(OpeningTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task ConnectedAsync(string hub, HubCallerContext connection)
    {
        var userId = connection.UserIdentifier;
        string[] userGroups;
        var state = Hub(hub);
        lock (state)
        {
            state.Connections[connection.ConnectionId] = connection;
            if (userId is not null)
            {
                state.UserConnections.GetOrAdd(userId).Add(connection.ConnectionId);
                userGroups = [.. LiveGroupsOf(state, userId)];
                foreach (var group in userGroups)
                {
                    state.GroupConnections.GetOrAdd(group).Add(connection.ConnectionId);
                }
            }
            else
            {
                userGroups = [];
            }
        }

        await Groups.AddToGroupAsync(connection.ConnectionId, LifetimeGroups.All(hub));
        if (userId is not null)
        {
            await Groups.AddToGroupAsync(connection.ConnectionId, LifetimeGroups.User(hub, userId));
        }

        foreach (var group in userGroups)
        {
            await Groups.AddToGroupAsync(connection.ConnectionId, LifetimeGroups.Group(hub, group));
        }

        if (opening.TryGetValue(connection.ConnectionId, out var connected))
        {
            connected.TrySetResult();
        }
    }

    public void Disconnected(string hub, HubCallerContext connection)
    {
        // SignalR's lifetime manager drops a closed connection from its groups by itself.
        var state = Hub(hub);
        lock (state)
        {
            state.Connections.Remove(connection.ConnectionId);
            if (connection.UserIdentifier is { } userId)
            {
                state.UserConnections.RemoveFrom(userId, connection.ConnectionId);
            }

            foreach (var group in state.GroupConnections.Keys.ToList())
            {
                state.GroupConnections.RemoveFrom(group, connection.ConnectionId);
            }
        }
    }

    public async Task<bool> ConnectionExistsAsync(string hub, string connectionId)
    {
        await WhenOpenedAsync(connectionId);
        return Read(hub, s => s.Connections.ContainsKey(connectionId));
    }

    public bool GroupExists(string hub, string group) => Read(hub, s => s.GroupConnections.ContainsKey(group));

    public bool UserExists(string hub, string userId) => Read(hub, s => s.UserConnections.ContainsKey(userId));

    public bool UserInGroup(string hub, string group, string userId) =>
        Read(hub, s => s.UserGroups.TryGetValue(userId, out var groups) && groups.TryGetValue(group, out var expiry) && IsLive(expiry));

    /// <summary>Adds a connection to a group; false when the hub has no such connection.</summary>
    public async Task<bool> AddConnectionToGroupAsync(string hub, string group, string connectionId)
    {
        await WhenOpenedAsync(connectionId);
        var state = Hub(hub);
        lock (state)
        {
            if (!state.Connections.ContainsKey(connectionId))
            {
                return false;
            }

            state.GroupConnections.GetOrAdd(group).Add(connectionId);
        }

        await Groups.AddToGroupAsync(connectionId, LifetimeGroups.Group(hub, group));
        return true;
    }

    /// <summary>Removes a connection from a group; false when the hub has no such connection.</summary>
    public async Task<bool> RemoveConnectionFromGroupAsync(string hub, string group, string connectionId)
    {
        await WhenOpenedAsync(connectionId);
        var state = Hub(hub);
        lock (state)
        {
            if (!state.Connections.ContainsKey(connectionId))
            {
                return false;
            }

            state.GroupConnections.RemoveFrom(group, connectionId);
        }

        await Groups.RemoveFromGroupAsync(connectionId, LifetimeGroups.Group(hub, group));
        return true;
    }

    public async Task<bool> RemoveConnectionFromAllGroupsAsync(string hub, string connectionId)
    {
        await WhenOpenedAsync(connectionId);
        List<string> groups;
        var state = Hub(hub);
        lock (state)
        {
            if (!state.Connections.ContainsKey(connectionId))
            {
                return false;
            }

            groups = [.. state.GroupConnections.Where(g => g.Value.Contains(connectionId)).Select(g => g.Key)];
            foreach (var group in groups)
            {
                state.GroupConnections.RemoveFrom(group, connectionId);
            }
        }

        foreach (var group in groups)
        {
            await Groups.RemoveFromGroupAsync(connectionId, LifetimeGroups.Group(hub, group));
        }

        return true;
    }

    /// <summary>Adds a user (every connection it has now and opens later) to a group, for <paramref name="ttl"/> or for good.</summary>
    public async Task AddUserToGroupAsync(string hub, string group, string userId, TimeSpan? ttl)
    {
        List<string> connections;
        var state = Hub(hub);
        lock (state)
        {
            state.UserGroups.GetOrAdd(userId)[group] = ttl is { } t ? time.GetUtcNow() + t : null;
            connections = [.. state.UserConnections.GetValueOrDefault(userId) ?? []];
            foreach (var connectionId in connections)
            {
                state.GroupConnections.GetOrAdd(group).Add(connectionId);
            }
        }

        foreach (var connectionId in connections)
        {
            await Groups.AddToGroupAsync(connectionId, LifetimeGroups.Group(hub, group));
        }
    }

    public async Task RemoveUserFromGroupAsync(string hub, string group, string userId)
    {
        List<string> connections;
        var state = Hub(hub);
        lock (state)
        {
            state.UserGroups.GetValueOrDefault(userId)?.Remove(group);
            connections = [.. state.UserConnections.GetValueOrDefault(userId) ?? []];
            foreach (var connectionId in connections)
            {
                state.GroupConnections.RemoveFrom(group, connectionId);
            }
        }

        foreach (var connectionId in connections)
        {
            await Groups.RemoveFromGroupAsync(connectionId, LifetimeGroups.Group(hub, group));
        }
    }

    public async Task RemoveUserFromAllGroupsAsync(string hub, string userId)
    {
        List<string> groups;
        var state = Hub(hub);
        lock (state)
        {
            groups = [.. state.UserGroups.GetValueOrDefault(userId)?.Keys ?? Enumerable.Empty<string>()];
        }

        foreach (var group in groups)
        {
            await RemoveUserFromGroupAsync(hub, group, userId);
        }
    }

    /// <summary>Ends user-group memberships whose time to live has passed.</summary>
    public async Task ExpireMembershipsAsync()
    {
        List<(string Hub, string Group, string User)> expired = [];
        lock (hubs)
        {
            foreach (var (hub, state) in hubs)
            {
                lock (state)
                {
                    expired.AddRange(state.UserGroups.SelectMany(user => user.Value.Where(g => !IsLive(g.Value)).Select(g => (hub, g.Key, user.Key))));
                }
            }
        }

        foreach (var (hub, group, user) in expired)
        {
            await RemoveUserFromGroupAsync(hub, group, user);
        }
    }

    /// <summary>The connections to close: all of a hub (but the excluded), a group's, a user's.</summary>
    public IReadOnlyList<HubCallerContext> Connections(string hub, Func<string, string?, bool> which) =>
        Read(hub, s => s.Connections.Values.Where(c => which(c.ConnectionId, c.UserIdentifier)).ToList());

    public IReadOnlyList<HubCallerContext> GroupConnections(string hub, string group) =>
        Read(hub, s => (s.GroupConnections.GetValueOrDefault(group) ?? []).Select(id => s.Connections[id]).ToList());

    private IEnumerable<string> LiveGroupsOf(HubState state, string userId) =>
        state.UserGroups.TryGetValue(userId, out var groups) ? groups.Where(g => IsLive(g.Value)).Select(g => g.Key) : [];

    private bool IsLive(DateTimeOffset? expiry) => expiry is null || expiry > time.GetUtcNow();

    private T Read<T>(string hub, Func<HubState, T> read)
    {
        var state = Hub(hub);
        lock (state)
        {
            return read(state);
        }
    }

    private HubState Hub(string hub)
    {
        lock (hubs)
        {
            return hubs.GetOrAdd(hub);
        }
    }

    private sealed class HubState
    {
        public Dictionary<string, HubCallerContext> Connections { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<string>> GroupConnections { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<string>> UserConnections { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Dictionary<string, DateTimeOffset?>> UserGroups { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>Names of the lifetime manager's groups, qualified by hub so that hubs stay apart.</summary>
internal static class LifetimeGroups
{
    public static string All(string hub) => $"{hub}\u0001all";
    public static string User(string hub, string userId) => $"{hub}\u0001user\u0001{userId}";
    public static string Group(string hub, string group) => $"{hub}\u0001group\u0001{group}";
}

internal static class DictionaryExtensions
{
    public static TValue GetOrAdd<TValue>(this Dictionary<string, TValue> dictionary, string key) where TValue : new()
    {
        if (!dictionary.TryGetValue(key, out var value))
        {
            dictionary[key] = value = new TValue();
        }

        return value;
    }

    public static void RemoveFrom(this Dictionary<string, HashSet<string>> sets, string key, string member)
    {
        if (sets.TryGetValue(key, out var set) && set.Remove(member) && set.Count == 0)
        {
            sets.Remove(key);
        }
    }
}
