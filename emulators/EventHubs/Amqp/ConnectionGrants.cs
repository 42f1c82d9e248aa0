using System.Runtime.CompilerServices;
using Amqp;
using Amqp.Listener;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// What each connection may reach: everything, after SASL PLAIN with the namespace key; otherwise the entities its
/// CBS put-token calls were granted, until their tokens expire.
/// </summary>
internal sealed class ConnectionGrants(TimeProvider time)
{
    private readonly ConditionalWeakTable<Connection, List<(string Path, DateTimeOffset Expires)>> grants = new();

    public void Grant(Connection connection, string path, DateTimeOffset expires)
    {
        var list = grants.GetOrCreateValue(connection);
        lock (list)
        {
            list.Add((path, expires));
        }
    }

    public bool Allows(Connection connection, string entityPath)
    {
        if (connection is ListenerConnection { Principal.Identity.IsAuthenticated: true })
        {
            return true;
        }

        if (!grants.TryGetValue(connection, out var list))
        {
            return false;
        }

        var now = time.GetUtcNow();
        lock (list)
        {
            return list.Any(g => g.Expires > now && SasToken.Covers(g.Path, entityPath));
        }
    }
}
