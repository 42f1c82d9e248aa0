namespace Serverless.FunctionsHost.Bindings;

/// <summary>
/// <c>AzureWebJobsStorage</c>, where the host keeps Event Hubs ownership and checkpoints and its timers' locks and
/// status. This host takes it as a connection string; a setting in the identity form is named as such, not reported
/// missing (docs/functions-host.md#connections).
/// </summary>
internal static class HostStorage
{
    public const string Setting = "AzureWebJobsStorage";
    private static readonly string[] IdentityProperties = ["accountName", "blobServiceUri", "serviceUri", "credential", "clientId"];

    /// <param name="purpose">What the host keeps there, for the error.</param>
    public static string ConnectionString(BindingExpressions expressions, string purpose)
    {
        if (expressions.Setting(Setting) is { Length: > 0 } connectionString)
        {
            return connectionString;
        }

        var identity = IdentityProperties.Select(p => $"{Setting}__{p}").Where(name => expressions.Setting(name) is { Length: > 0 }).ToList();
        throw new BindingException(identity.Count > 0
            ? $"{Setting} is given in its identity form ({string.Join(", ", identity)}); this host connects to storage by connection string only, so set {Setting} (UseDevelopmentStorage=true for Azurite). The host keeps {purpose} there."
            : $"{Setting} is missing: the host keeps {purpose} there. Set it to a storage connection string (UseDevelopmentStorage=true for Azurite).");
    }
}
