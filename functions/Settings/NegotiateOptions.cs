namespace Serverless.Functions.Settings;

/// <summary>Who the negotiate caller is (<c>Negotiate__*</c>).</summary>
public sealed class NegotiateOptions : ISelfValidatingOptions
{
    /// <summary>
    /// Take the user id from App Service authentication's <c>X-MS-CLIENT-PRINCIPAL-ID</c> header. Turn it on only where
    /// App Service authentication runs in front of the app: the platform then sets the header and drops any a client sent.
    /// </summary>
    public bool TrustAppServiceAuthentication { get; set; }

    public static void Bind(NegotiateOptions options, IConfiguration configuration) =>
        options.TrustAppServiceAuthentication = SettingParser.Bool(configuration.GetSection("Negotiate"), "TrustAppServiceAuthentication", false);

    public IEnumerable<string> Validate() => [];
}
