using System.Text.Json.Nodes;

namespace Serverless.FunctionsHost.App;

/// <summary>
/// App settings that override host.json, as in Azure: <c>AzureFunctionsJobHost__extensions__eventHubs__prefetchCount</c>
/// sets <c>extensions.eventHubs.prefetchCount</c>, matching existing names case-insensitively and adding missing ones
/// (docs/functions-host.md#hostjson).
/// </summary>
internal static class HostJsonOverrides
{
    public static void Apply(JsonObject root, IReadOnlyDictionary<string, string?>? settings)
    {
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null || !name.StartsWith(HostJson.OverridePrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var path = name[HostJson.OverridePrefix.Length..].Split("__", StringSplitOptions.RemoveEmptyEntries);
            if (path.Length == 0)
            {
                continue;
            }

            var parent = root;
            foreach (var segment in path[..^1])
            {
                var existing = parent.FirstOrDefault(p => p.Key.Equals(segment, StringComparison.OrdinalIgnoreCase));
                if (existing.Value is not JsonObject child)
                {
                    child = [];
                    parent[existing.Key ?? segment] = child;
                }

                parent = child;
            }

            var leaf = parent.FirstOrDefault(p => p.Key.Equals(path[^1], StringComparison.OrdinalIgnoreCase)).Key ?? path[^1];
            parent[leaf] = value;
        }
    }
}
