using Serverless.Contracts.Settings;
namespace Serverless.Infra.Model;

/// <summary>
/// The function app's settings in Azure, by the names in <c>local.settings.sample.json</c>. Generic over the value
/// type so that the Pulumi program builds it from outputs and the tests from plain strings: one map, two uses.
/// </summary>
public static class FunctionAppSettings
{
    /// <summary>Settings a stack may change (serverless:appSettings), with the sample's values as defaults.</summary>
    public static readonly IReadOnlyDictionary<string, string> TunableDefaults = new Dictionary<string, string>
    {
        [SettingNames.SignalRPushAttempts] = "3",
        [SettingNames.MaxEventBytes] = "32768",
        [SettingNames.DeadLetterBodyBytes] = "8192",
        [SettingNames.DedupWindow] = "1000",
        [SettingNames.AllowedChannels] = "*",
        [SettingNames.AllowedTypes] = "*",
        [SettingNames.PublicChannels] = SettingDefaults.PublicChannels,
        [SettingNames.RoleChannels] = SettingDefaults.RoleChannels,
        [SettingNames.UserChannels] = SettingDefaults.UserChannels,
        [SettingNames.SubscriptionMinutes] = $"{SettingDefaults.SubscriptionMinutes}",
        [SettingNames.RequestsPerSecond] = $"{SettingDefaults.RequestsPerSecond}",
        [SettingNames.RequestBurst] = $"{SettingDefaults.RequestBurst}",
        [SettingNames.ChannelsPerUser] = $"{SettingDefaults.ChannelsPerUser}",
        [SettingNames.RetentionMaxUpdates] = $"{SettingDefaults.RetentionMaxUpdates}",
        [SettingNames.RetentionMaxAge] = SettingDefaults.RetentionMaxAge,
        [SettingNames.RetentionDeadLetterMaxAge] = SettingDefaults.RetentionDeadLetterMaxAge,
        [SettingNames.RetentionChannels] = SettingDefaults.RetentionChannels,
        [SettingNames.RetentionSchedule] = SettingDefaults.RetentionSchedule,
    };

    /// <summary>
    /// Sample settings for the local development issuer only. A stack never sets them: in Azure the app takes Microsoft
    /// Entra ID's tokens (<c>Auth__Authority</c>), and it refuses to start with the development issuer there.
    /// </summary>
    public static readonly IReadOnlySet<string> LocalOnly = new HashSet<string>(StringComparer.Ordinal)
    {
        SettingNames.AuthIssuer,
        SettingNames.AuthSigningKey,
    };

    /// <summary>Entra ID names the user by its object id, the same for every app of the tenant (docs/azure-deployment.md#sign-in).</summary>
    public const string EntraUserIdClaim = "oid";

    /// <summary>Sample settings that Azure takes somewhere other than an app setting, and where.</summary>
    public static IReadOnlyDictionary<string, string> SetElsewhere(HostingPlan plan)
    {
        var elsewhere = new Dictionary<string, string>();
        if (plan.IsFlex)
        {
            // Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME as an app setting (docs/azure-deployment.md).
            elsewhere[SettingNames.WorkerRuntime] = $"functionAppConfig.runtime.name = {HostingPlan.WorkerRuntime}";
        }

        return elsewhere;
    }

    /// <summary>Every app setting of the function app, in a stable order.</summary>
    public static IReadOnlyList<KeyValuePair<string, T>> For<T>(StackSettings stack, DeployedValues<T> deployed) where T : class
    {
        var literal = deployed.Literal;
        var settings = new List<KeyValuePair<string, T>>();
        void Add(string name, T value) => settings.Add(new(name, value));

        if (!stack.Plan.IsFlex)
        {
            Add("FUNCTIONS_EXTENSION_VERSION", literal("~4"));
            Add(SettingNames.WorkerRuntime, literal(HostingPlan.WorkerRuntime));
            // Elastic Premium keeps the app's files in an Azure Files share, reached only by key.
            Add("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", deployed.ContentShareConnectionString
                ?? throw new ArgumentException("Elastic Premium needs the content share's connection string.", nameof(deployed)));
            Add("WEBSITE_CONTENTSHARE", deployed.ContentShareName
                ?? throw new ArgumentException("Elastic Premium needs the content share's name.", nameof(deployed)));
            Add("WEBSITE_RUN_FROM_PACKAGE", literal("1"));
        }

        // Identity-based connections (docs/azure-deployment.md#identity-based-connections): no keys.
        Add("AzureWebJobsStorage__accountName", deployed.StorageAccountName);
        Add("AzureWebJobsStorage__credential", literal("managedidentity"));
        Add("EventHubConnection__fullyQualifiedNamespace", deployed.EventHubsHost);
        Add("EventHubConnection__credential", literal("managedidentity"));
        Add(SettingNames.EventHubName, literal(ResourceNames.EventHub));
        Add(SettingNames.EventHubConsumerGroup, literal(ResourceNames.ConsumerGroup));

        // The app signs SignalR tokens with the access key: in Azure a Key Vault reference (KeyVaultReference below).
        Add(SettingNames.SignalRConnection, deployed.SignalRConnectionString);
        Add(SettingNames.SignalRHubName, literal(ResourceNames.SignalRHub));
        Add(SettingNames.UpdatesTable, literal(ResourceNames.UpdatesTable));
        Add(SettingNames.DeadLettersTable, literal(ResourceNames.DeadLettersTable));
        Add("APPLICATIONINSIGHTS_CONNECTION_STRING", deployed.AppInsightsConnectionString);

        // Who calls: Microsoft Entra ID's tokens, checked by the app (docs/azure-deployment.md#sign-in).
        Add(SettingNames.AuthAuthority, literal(stack.Entra.Authority));
        Add(SettingNames.AuthAudience, literal(stack.Entra.ApiAudience));
        Add(SettingNames.AuthUserIdClaim, literal(EntraUserIdClaim));

        foreach (var (name, value) in stack.AppSettings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Add(name, literal(value));
        }

        return settings;
    }

    /// <summary>
    /// The origins the API answers CORS for (the sample's Host.CORS, which in Azure is the site's CORS setting): the
    /// stack's web page and any origins the stack adds. Credentials stay off, as in the sample (Host.CORSCredentials).
    /// </summary>
    public static IReadOnlyList<T> CorsOrigins<T>(StackSettings stack, T webOrigin, Func<string, T> literal)
    {
        if (stack.AllowedOrigins.Contains("*"))
        {
            return [literal("*")];
        }

        return [webOrigin, .. stack.AllowedOrigins.Distinct(StringComparer.OrdinalIgnoreCase).Select(literal)];
    }

    public const bool CorsCredentials = false;

    /// <summary>
    /// An app setting that App Service fills from a Key Vault secret with the app's identity; without a version, so that
    /// a rotated secret is followed (docs/azure-deployment.md#secrets).
    /// </summary>
    public static string KeyVaultReference(string vaultUri, string secretName) =>
        $"@Microsoft.KeyVault(SecretUri={vaultUri.TrimEnd('/')}/secrets/{secretName}/)";
}

/// <summary>What the stack has made that the settings name: values known only once the resources exist.</summary>
/// <param name="EventHubsHost">The namespace's host name, <c>&lt;namespace&gt;.servicebus.windows.net</c>.</param>
/// <param name="ContentShareConnectionString">Elastic Premium only: a key-based connection string for the content share.</param>
public sealed record DeployedValues<T>(
    T StorageAccountName,
    T EventHubsHost,
    T SignalRConnectionString,
    T AppInsightsConnectionString,
    Func<string, T> Literal,
    T? ContentShareConnectionString = null,
    T? ContentShareName = null) where T : class;
