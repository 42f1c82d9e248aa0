using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>
/// Who calls the API (<c>Auth__*</c>): bearer tokens whose signature, issuer, audience and lifetime the app checks.
/// Either an OpenID Connect authority (Microsoft Entra ID: <c>https://login.microsoftonline.com/{tenant}/v2.0</c>,
/// keys from its metadata) or the local development issuer (a name and an HS256 key), never both (docs/identity.md).
/// </summary>
public sealed class AuthOptions : ISelfValidatingOptions
{
    // App Service sets it on every function app (docs/identity.md#the-development-issuer).
    private const string AzureSiteSetting = "WEBSITE_SITE_NAME";
    private const int MinimumKeyBytes = 32;

    public string Authority { get; set; } = "";
    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";
    public string SigningKey { get; set; } = "";
    public string UserIdClaim { get; set; } = SettingDefaults.UserIdClaim;
    public bool RunsInAzure { get; set; }

    public bool UsesAuthority => Authority.Length > 0;

    /// <summary>The development issuer's key bytes (empty when an authority is used).</summary>
    public byte[] SigningKeyBytes => UsesAuthority ? [] : Convert.FromBase64String(SigningKey);

    public static void Bind(AuthOptions options, IConfiguration configuration)
    {
        options.Authority = SettingParser.Text(configuration, SettingNames.AuthAuthority)?.Trim() ?? "";
        options.Issuer = SettingParser.Text(configuration, SettingNames.AuthIssuer)?.Trim() ?? "";
        options.Audience = SettingParser.Text(configuration, SettingNames.AuthAudience)?.Trim() ?? "";
        options.SigningKey = SettingParser.Text(configuration, SettingNames.AuthSigningKey)?.Trim() ?? "";
        options.UserIdClaim = SettingParser.Text(configuration, SettingNames.AuthUserIdClaim)?.Trim() is { Length: > 0 } claim ? claim : options.UserIdClaim;
        options.RunsInAzure = !string.IsNullOrEmpty(configuration[AzureSiteSetting]);
    }

    public IEnumerable<string> Validate()
    {
        if (Audience.Length == 0)
        {
            yield return $"{SettingNames.AuthAudience} is missing: set it to the API's audience (its application id in Microsoft Entra ID, {SettingDefaults.ApiAudience} locally).";
        }

        if (UsesAuthority)
        {
            if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
            {
                yield return $"{SettingNames.AuthAuthority} '{Authority}' is not an https URL (https://login.microsoftonline.com/<tenant>/v2.0).";
            }

            if (SigningKey.Length > 0 || Issuer.Length > 0)
            {
                yield return $"{SettingNames.AuthAuthority} is set, and so is the development issuer ({SettingNames.AuthIssuer}, {SettingNames.AuthSigningKey}): keep one.";
            }

            yield break;
        }

        if (Issuer.Length == 0 || SigningKey.Length == 0)
        {
            yield return $"Set {SettingNames.AuthAuthority} (Microsoft Entra ID), or {SettingNames.AuthIssuer} and {SettingNames.AuthSigningKey} (the local development issuer).";
            yield break;
        }

        byte[]? key = null;
        try
        {
            key = Convert.FromBase64String(SigningKey);
        }
        catch (FormatException)
        {
        }

        if (key is null || key.Length < MinimumKeyBytes)
        {
            yield return $"{SettingNames.AuthSigningKey} must be base64 of at least {MinimumKeyBytes} random bytes.";
        }

        if (RunsInAzure)
        {
            yield return $"{SettingNames.AuthIssuer} and {SettingNames.AuthSigningKey} are the local development issuer, which is not for Azure: set {SettingNames.AuthAuthority} to Microsoft Entra ID.";
        }
    }
}
