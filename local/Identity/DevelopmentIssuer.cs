using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Serverless.Contracts.Settings;

namespace Serverless.Local.Identity;

/// <summary>
/// The local stack's development issuer: bearer tokens for any user and roles, signed with the key the function app
/// checks them with (<c>Auth__Issuer</c>, <c>Auth__Audience</c>, <c>Auth__SigningKey</c> of its settings), as
/// <c>dotnet user-jwts</c> makes them for an ASP.NET Core app (docs/identity.md#the-development-issuer).
/// </summary>
public sealed class DevelopmentIssuer(string issuer, string audience, byte[] signingKey, string userIdClaim = SettingDefaults.UserIdClaim)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>The issuer of the app's settings; null when they name none (the app then checks Microsoft Entra ID's tokens).</summary>
    public static DevelopmentIssuer? FromSettings(IReadOnlyDictionary<string, string?> settings)
    {
        string? Value(string name) => settings.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        if (Value(SettingNames.AuthIssuer) is not { } issuer || Value(SettingNames.AuthSigningKey) is not { } key)
        {
            return null;
        }

        return new DevelopmentIssuer(issuer, Value(SettingNames.AuthAudience) ?? SettingDefaults.ApiAudience, Convert.FromBase64String(key),
            Value(SettingNames.AuthUserIdClaim) ?? SettingDefaults.UserIdClaim);
    }

    public string CreateToken(string user, IEnumerable<string> roles, TimeSpan? lifetime = null, DateTimeOffset? now = null)
    {
        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        var claims = new Dictionary<string, object> { [userIdClaim] = user, ["name"] = user };
        var roleList = roles.Distinct(StringComparer.Ordinal).ToArray();
        if (roleList.Length > 0)
        {
            claims["roles"] = roleList;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + (lifetime ?? DefaultLifetime),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
        });
    }
}
