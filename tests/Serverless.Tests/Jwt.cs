using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Serverless.Tests;

/// <summary>Checks an HS256 JWT the way SignalR Service does, independently of the app's own token code.</summary>
public static class Jwt
{
    public static JsonElement ValidatedPayload(string token, string accessKey)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Decode(parts[0])).RootElement;
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        Assert.True(CryptographicOperations.FixedTimeEquals(expected, Decode(parts[2])), "the signature does not validate with the AccessKey");
        return JsonDocument.Parse(Decode(parts[1])).RootElement.Clone();
    }

    /// <summary>A token as a caller would make it: any algorithm name, any claims, signed (or not) with HMAC-SHA256.</summary>
    public static string Create(string accessKey, string audience, DateTimeOffset expires, string alg = "HS256", IDictionary<string, object>? claims = null)
    {
        var payload = new Dictionary<string, object>(claims ?? new Dictionary<string, object>())
        {
            ["aud"] = audience,
            ["exp"] = expires.ToUnixTimeSeconds(),
        };
        var unsigned = $"{Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg, typ = "JWT" }))}.{Encode(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = alg == "none" ? "" : Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.ASCII.GetBytes(unsigned)));
        return $"{unsigned}.{signature}";
    }

    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Decode(string part)
    {
        var base64 = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='));
    }
}
