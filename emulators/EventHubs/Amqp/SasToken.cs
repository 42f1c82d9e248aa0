using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// A shared access signature: <c>SharedAccessSignature sr=&lt;uri&gt;&amp;sig=&lt;b64&gt;&amp;se=&lt;unix&gt;&amp;skn=&lt;name&gt;</c>,
/// signed with HMAC-SHA256 over <c>sr + "\n" + se</c> with the key's UTF-8 bytes (docs/event-hubs.md#sas-tokens).
/// </summary>
internal static class SasToken
{
    /// <summary>Checks the token and returns what it grants: an entity path (the <c>sr</c> without scheme and host) until it expires.</summary>
    public static SasGrant Validate(string token, string keyName, string key, DateTimeOffset now)
    {
        const string prefix = "SharedAccessSignature ";
        if (!token.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException("the token is not a SharedAccessSignature");
        }

        var fields = token[prefix.Length..].Split('&')
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("sr", out var resource) || !fields.TryGetValue("sig", out var signature)
            || !fields.TryGetValue("se", out var expiry) || !fields.TryGetValue("skn", out var name))
        {
            throw new UnauthorizedAccessException("the token needs sr, sig, se and skn");
        }

        if (Uri.UnescapeDataString(name) != keyName)
        {
            throw new UnauthorizedAccessException($"no key named '{Uri.UnescapeDataString(name)}'");
        }

        if (!long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) <= now)
        {
            throw new UnauthorizedAccessException("the token has expired");
        }

        // The signature is over sr as the token carries it (URL-encoded) and se.
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{resource}\n{expiry}"));
        byte[] actual;
        try
        {
            actual = Convert.FromBase64String(Uri.UnescapeDataString(signature));
        }
        catch (FormatException)
        {
            throw new UnauthorizedAccessException("the signature is not base64");
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            throw new UnauthorizedAccessException("the signature does not match the key");
        }

        return new SasGrant(EntityPath(Uri.UnescapeDataString(resource)), DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>
    /// The entity path of an audience or address: <c>sb://ns/hub/…</c>, <c>amqps://ns/hub/…</c> or <c>/hub/…</c> all
    /// become <c>hub/…</c>, lowercased, without leading or trailing slashes.
    /// </summary>
    public static string EntityPath(string audienceOrAddress)
    {
        var path = Uri.TryCreate(audienceOrAddress, UriKind.Absolute, out var uri) && uri.Scheme is "sb" or "amqps" or "amqp" or "https" or "http"
            ? uri.AbsolutePath
            : audienceOrAddress;
        return Uri.UnescapeDataString(path).Trim('/').ToLowerInvariant();
    }

    /// <summary>Whether a grant for <paramref name="granted"/> covers <paramref name="entity"/> (the same path, or one under it).</summary>
    public static bool Covers(string granted, string entity) =>
        granted.Length == 0 || entity == granted || entity.StartsWith(granted + "/", StringComparison.Ordinal);
}

/// <summary>What a valid SAS token allows: the entity path and everything under it, until it expires.</summary>
internal sealed record SasGrant(string Path, DateTimeOffset Expires)
{
    public bool Covers(string entityPath) => SasToken.Covers(Path, entityPath);
}
