namespace Serverless.Infra.Model;

/// <summary>
/// How the page signs people in, as <c>config.json</c> tells it (web/identity.js): locally, a picker of the development
/// issuer's users whose tokens <see cref="TokenUrl"/> makes; in Azure, Microsoft Entra ID with MSAL.js for the API's
/// <see cref="Scope"/> (docs/identity.md#the-development-issuer).
/// </summary>
public sealed record PageSignIn(
    string Kind,
    string? TokenUrl = null,
    IReadOnlyList<string>? Users = null,
    string? ClientId = null,
    string? Authority = null,
    string? Scope = null)
{
    public const string Local = "local";
    public const string Entra = "entra";
}
