namespace Serverless.Pipeline.Settings;

/// <summary>
/// An Azure SignalR Service connection string: <c>Endpoint=…;AccessKey=…;Version=1.0;</c> with optional <c>Port</c>
/// and <c>ClientEndpoint</c>. Keys are case-insensitive (docs/signalr-service.md#connection-string).
/// </summary>
public sealed record SignalRConnectionString(Uri Endpoint, Uri ClientEndpoint, string AccessKey)
{
    public static SignalRConnectionString Parse(string text, string settingName)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException($"{settingName} has a part without '=': '{part}'.");
            }

            parts[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }

        if (parts.TryGetValue("AuthType", out var authType))
        {
            throw new FormatException($"{settingName} uses AuthType={authType}; only AccessKey authentication is supported.");
        }

        if (!parts.TryGetValue("Endpoint", out var endpointText)
            || !Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"{settingName} needs Endpoint=http(s)://<name>.service.signalr.net.");
        }

        if (!parts.TryGetValue("AccessKey", out var accessKey) || accessKey.Length == 0)
        {
            throw new FormatException($"{settingName} needs AccessKey=<key>.");
        }

        if (!parts.TryGetValue("Version", out var version) || !version.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new FormatException($"{settingName} needs Version=1.0.");
        }

        endpoint = WithPort(endpoint, parts, settingName);
        var clientEndpoint = endpoint;
        if (parts.TryGetValue("ClientEndpoint", out var clientText))
        {
            if (!Uri.TryCreate(clientText, UriKind.Absolute, out var client))
            {
                throw new FormatException($"{settingName} has a ClientEndpoint that is not an absolute URL.");
            }

            clientEndpoint = client;
        }

        return new SignalRConnectionString(TrimPath(endpoint), TrimPath(clientEndpoint), accessKey);
    }

    private static Uri WithPort(Uri endpoint, Dictionary<string, string> parts, string settingName)
    {
        if (!parts.TryGetValue("Port", out var portText))
        {
            return endpoint;
        }

        if (!int.TryParse(portText, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"{settingName} has Port={portText}, which is not a TCP port.");
        }

        return new UriBuilder(endpoint) { Port = port }.Uri;
    }

    private static Uri TrimPath(Uri uri) => new(uri.GetLeftPart(UriPartial.Authority));
}
