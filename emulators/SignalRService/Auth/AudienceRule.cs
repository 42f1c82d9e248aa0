namespace Serverless.SignalRService.Auth;

/// <summary>
/// Whether a token's audience names the URL it is used on. The service takes both forms seen in the wild
/// (docs/signalr-service.md#tokens): the documented one (the URL without query string) and the SDK's (with its query string,
/// without port). Scheme, host and path must match; a port in the audience must be the request's; every query
/// parameter in the audience must be in the request with the same value.
/// </summary>
internal static class AudienceRule
{
    public static string? Mismatch(Uri audience, string scheme, string host, int port, string path, IReadOnlyDictionary<string, string> query)
    {
        var expected = $"{scheme}://{host}{path}";
        if (!audience.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase)
            || !audience.Host.Equals(host, StringComparison.OrdinalIgnoreCase)
            || !Trim(audience.AbsolutePath).Equals(Trim(path), StringComparison.OrdinalIgnoreCase))
        {
            return $"aud '{audience}' is not this URL ({expected})";
        }

        if (!audience.IsDefaultPort && audience.Port != port)
        {
            return $"aud '{audience}' names port {audience.Port}, not {port}";
        }

        foreach (var (key, value) in ParseQuery(audience.Query))
        {
            if (!query.TryGetValue(key, out var actual) || !actual.Equals(value, StringComparison.OrdinalIgnoreCase))
            {
                return $"aud '{audience}' has {key}={value}, which this request does not";
            }
        }

        return null;
    }

    public static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            result[key] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        }

        return result;
    }

    private static string Trim(string path) => Uri.UnescapeDataString(path).TrimEnd('/');
}
