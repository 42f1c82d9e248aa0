using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.EventHubs.Client;

/// <summary>Builds SAS tokens: HMAC-SHA256 over <c>urlencode(audience) + "\n" + expiry</c> with the key's UTF-8 bytes.</summary>
public static class SharedAccessSignature
{
    public static string Create(string audience, string keyName, string key, DateTimeOffset expires)
    {
        var resource = WebUtility.UrlEncode(audience);
        var expiry = expires.ToUnixTimeSeconds();
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{resource}\n{expiry}")));
        return $"SharedAccessSignature sr={resource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={WebUtility.UrlEncode(keyName)}";
    }
}
