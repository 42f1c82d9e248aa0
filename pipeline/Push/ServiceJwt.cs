using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Serverless.Pipeline.Push;

/// <summary>
/// HS256 JSON Web Tokens for SignalR Service, signed with the UTF-8 bytes of the AccessKey (docs/signalr-service.md#tokens).
/// </summary>
internal static class ServiceJwt
{
    // The SDK writes the user id both as nameid (the documented claim) and asrs.s.uid (what the service reads first).
    public const string NameIdClaim = "nameid";
    public const string ServiceUserIdClaim = "asrs.s.uid";

    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""");

    public static string Create(string accessKey, string audience, DateTimeOffset now, TimeSpan lifetime, string? userId = null)
    {
        var payload = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
        };
        if (userId is not null)
        {
            payload[NameIdClaim] = userId;
            payload[ServiceUserIdClaim] = userId;
        }

        var unsigned = $"{Base64Url(Header)}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64Url(signature)}";
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
