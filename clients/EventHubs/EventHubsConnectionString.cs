namespace Serverless.EventHubs.Client;

/// <summary>
/// <c>Endpoint=sb://ns[:port];SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=hub][;UseDevelopmentEmulator=true]</c>.
/// The development emulator is plain TCP on 5672 unless the endpoint names a port; the service is TLS on 5671.
/// </summary>
public sealed record EventHubsConnectionString(string Host, int Port, bool UseTls, string KeyName, string Key, string? EntityPath)
{
    public static EventHubsConnectionString Parse(string text)
    {
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Endpoint", out var endpointText) || !Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint))
        {
            throw new FormatException("The connection string needs Endpoint=sb://<namespace>.");
        }

        if (!parts.TryGetValue("SharedAccessKeyName", out var keyName) || !parts.TryGetValue("SharedAccessKey", out var key))
        {
            throw new FormatException("The connection string needs SharedAccessKeyName and SharedAccessKey.");
        }

        var emulator = parts.TryGetValue("UseDevelopmentEmulator", out var flag) && bool.TryParse(flag, out var on) && on;
        var port = endpoint.IsDefaultPort || endpoint.Port <= 0 ? (emulator ? 5672 : 5671) : endpoint.Port;
        return new EventHubsConnectionString(endpoint.Host, port, !emulator, keyName, key, parts.GetValueOrDefault("EntityPath"));
    }

    /// <summary>
    /// The namespace's identity, for checkpoints and invocation metadata: its host, and its port when that is not the
    /// default, so that two local namespaces on one machine never share checkpoints.
    /// </summary>
    public string FullyQualifiedNamespace => Port is 5671 or 5672 ? Host : $"{Host}:{Port}";

    /// <summary>The audience of an entity as the service names it: <c>sb://host/path</c>.</summary>
    public string Audience(string entityPath) => $"sb://{Host}/{entityPath.TrimStart('/')}";
}
