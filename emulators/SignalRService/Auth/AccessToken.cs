using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Serverless.SignalRService.Auth;

/// <summary>A validated access token: its audience and claims.</summary>
public sealed record AccessToken(Uri Audience, IReadOnlyDictionary<string, string> Claims)
{
    // Algorithms SignalR Service accepts for AccessKey tokens (docs/signalr-service.md#tokens); "none" and RSA are refused.
    private static readonly Dictionary<string, Func<byte[], byte[], byte[]>> Algorithms = new(StringComparer.Ordinal)
    {
        ["HS256"] = HMACSHA256.HashData,
        ["HS384"] = HMACSHA384.HashData,
        ["HS512"] = HMACSHA512.HashData,
    };

    /// <summary>Validates signature, algorithm and lifetime; the caller checks the audience.</summary>
    public static AccessToken Validate(string token, string accessKey, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new TokenRejectedException("the token is not a JWT (three dot-separated parts)");
        }

        using var header = ParsePart(parts[0], "header");
        if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String
            || !Algorithms.TryGetValue(alg.GetString()!, out var sign))
        {
            throw new TokenRejectedException($"alg {(header.RootElement.TryGetProperty("alg", out var a) ? a.GetRawText() : "(missing)")} is not one of HS256, HS384, HS512");
        }

        var expected = sign(Encoding.UTF8.GetBytes(accessKey), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        if (!TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            throw new TokenRejectedException("the signature does not match the AccessKey");
        }

        using var payload = ParsePart(parts[1], "payload");
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var claim in payload.RootElement.EnumerateObject())
        {
            claims[claim.Name] = claim.Value.ValueKind == JsonValueKind.String ? claim.Value.GetString()! : claim.Value.GetRawText();
        }

        if (!claims.TryGetValue("exp", out var expText) || !long.TryParse(expText, out var exp))
        {
            throw new TokenRejectedException("the token has no exp claim");
        }

        if (DateTimeOffset.FromUnixTimeSeconds(exp) <= now)
        {
            throw new TokenRejectedException($"the token expired at {DateTimeOffset.FromUnixTimeSeconds(exp):O}");
        }

        if (claims.TryGetValue("nbf", out var nbfText) && long.TryParse(nbfText, out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) > now.AddMinutes(5))
        {
            throw new TokenRejectedException($"the token is not valid before {DateTimeOffset.FromUnixTimeSeconds(nbf):O}");
        }

        if (!claims.TryGetValue("aud", out var audText) || !Uri.TryCreate(audText, UriKind.Absolute, out var audience))
        {
            throw new TokenRejectedException("the token has no aud claim with an absolute URL");
        }

        return new AccessToken(audience, claims);
    }

    /// <summary>The user id: the service reads asrs.s.uid first, then nameid (docs/signalr-service.md#tokens).</summary>
    public string? UserId => Claims.TryGetValue("asrs.s.uid", out var uid) ? uid : Claims.GetValueOrDefault("nameid");

    private static JsonDocument ParsePart(string part, string name)
    {
        try
        {
            if (TryDecode(part, out var bytes))
            {
                return JsonDocument.Parse(bytes);
            }
        }
        catch (JsonException)
        {
        }

        throw new TokenRejectedException($"the token's {name} is not base64url JSON");
    }

    private static bool TryDecode(string part, out byte[] bytes)
    {
        var base64 = part.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        bytes = new byte[base64.Length];
        if (Convert.TryFromBase64String(base64, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}

internal sealed class TokenRejectedException(string reason) : Exception(reason);
