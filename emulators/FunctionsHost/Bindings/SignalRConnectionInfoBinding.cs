using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Bindings;

/// <summary>
/// The <c>signalRConnectionInfo</c> input: the client URL of the hub and an HS256 access token signed with the
/// AccessKey of the connection string named by <c>connectionStringSetting</c> (default
/// <c>AzureSignalRConnectionString</c>), sent to the worker as JSON <c>{url, accessToken}</c> (docs/functions-host.md).
/// </summary>
internal sealed class SignalRConnectionInfoBinding(BindingExpressions expressions, TimeProvider time)
{
    public const string DefaultConnectionSetting = "AzureSignalRConnectionString";

    // The SignalR Service SDK's default lifetime of a client token.
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    public TypedData Bind(BindingDescription binding, HttpContext? http)
    {
        var settingName = expressions.Resolve(binding.Property("connectionStringSetting")) is { Length: > 0 } name ? name : DefaultConnectionSetting;
        var connectionString = expressions.Setting(settingName)
            ?? throw new BindingException($"The SignalR connection string setting {settingName} (binding '{binding.Name}') is missing.");
        var hub = expressions.Resolve(binding.Property("hubName"), http) is { Length: > 0 } h
            ? h.ToLowerInvariant()
            : throw new BindingException($"The signalRConnectionInfo binding '{binding.Name}' has no hubName.");
        var userId = expressions.Resolve(binding.Property("userId"), http) is { Length: > 0 } u ? u : null;

        var (endpoint, accessKey) = Parse(connectionString, settingName);
        var path = $"/client/?hub={Uri.EscapeDataString(hub)}";
        var url = endpoint.GetLeftPart(UriPartial.Authority) + path;
        // The SDK signs the client URL without its port as the audience.
        var audience = $"{endpoint.Scheme}://{endpoint.Host}{path}";
        var json = JsonSerializer.Serialize(new { url, accessToken = Token(accessKey, audience, userId) });
        return new TypedData { Json = json };
    }

    private string Token(string accessKey, string audience, string? userId)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(TokenLifetime).ToUnixTimeSeconds(),
        };
        if (userId is not null)
        {
            claims["nameid"] = userId;
        }

        var unsigned = $"{Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8)}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64Url(signature)}";
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary><c>Endpoint=…;AccessKey=…;Version=1.0;</c> with optional <c>Port</c> and <c>ClientEndpoint</c>; keys in any case.</summary>
    private static (Uri ClientEndpoint, string AccessKey) Parse(string connectionString, string settingName)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Endpoint", out var endpointText) || !Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint))
        {
            throw new BindingException($"{settingName} has no Endpoint=http(s)://… .");
        }

        if (!parts.TryGetValue("AccessKey", out var accessKey) || accessKey.Length == 0)
        {
            throw new BindingException($"{settingName} has no AccessKey (only key-based connection strings are supported by this host).");
        }

        var client = parts.TryGetValue("ClientEndpoint", out var clientText) && Uri.TryCreate(clientText, UriKind.Absolute, out var c) ? c : endpoint;
        if (parts.TryGetValue("Port", out var portText) && int.TryParse(portText, out var port))
        {
            client = new UriBuilder(client) { Port = port }.Uri;
        }

        return (client, accessKey);
    }
}
