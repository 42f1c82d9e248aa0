using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Serverless.Pipeline.Settings;

namespace Serverless.Functions.Access;

/// <summary>
/// What a bearer token must be, from <c>Auth__*</c>: Microsoft Entra ID's (RS256, keys and issuer from the
/// authority's OpenID Connect metadata) or the local development issuer's (HS256 with its key). Either way the
/// signature, issuer, audience and lifetime are checked, <c>alg: none</c> and any other algorithm are refused, and
/// claims keep their names as the token has them (docs/identity.md).
/// </summary>
internal sealed class BearerTokens(IOptions<AuthOptions> auth) : IConfigureNamedOptions<JwtBearerOptions>
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name == JwtBearerDefaults.AuthenticationScheme)
        {
            Configure(options);
        }
    }

    public void Configure(JwtBearerOptions options)
    {
        var settings = auth.Value;
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = settings.Audience,
            ValidateAudience = true,
            ValidateIssuer = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            NameClaimType = settings.UserIdClaim,
            RoleClaimType = CallerClaims.RolesClaim,
        };

        if (settings.UsesAuthority)
        {
            options.Authority = settings.Authority;
            options.RequireHttpsMetadata = true;
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
        }
        else
        {
            options.TokenValidationParameters.ValidIssuer = settings.Issuer;
            options.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(settings.SigningKeyBytes);
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
    }
}
