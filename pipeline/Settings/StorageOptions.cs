using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>
/// Table Storage: the account (<c>AzureWebJobsStorage</c>) and the tables (<c>Tables__*</c>). The account is given
/// either as a connection string or, in Azure, by identity: <c>AzureWebJobsStorage__accountName</c> (or
/// <c>__tableServiceUri</c>) with <c>__credential=managedidentity</c> and an optional <c>__clientId</c>, the names the
/// Functions host reads for the same connection (docs/azure-deployment.md#identity-based-connections).
/// </summary>
public sealed partial class StorageOptions : ISelfValidatingOptions
{
    public const string ConnectionSetting = SettingNames.Storage;

    public string ConnectionString { get; set; } = "";
    public string AccountName { get; set; } = "";
    public string TableServiceUri { get; set; } = "";
    public string Credential { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string UpdatesTable { get; set; } = SettingDefaults.UpdatesTable;
    public string DeadLettersTable { get; set; } = SettingDefaults.DeadLettersTable;

    public bool UsesIdentity => string.IsNullOrWhiteSpace(ConnectionString) && (AccountName.Length > 0 || TableServiceUri.Length > 0);

    public static void Bind(StorageOptions options, IConfiguration configuration)
    {
        var identity = configuration.GetSection(ConnectionSetting);
        options.ConnectionString = configuration[ConnectionSetting] ?? "";
        options.AccountName = identity["accountName"] ?? "";
        options.TableServiceUri = identity["tableServiceUri"] ?? "";
        options.Credential = identity["credential"] ?? "";
        options.ClientId = identity["clientId"] ?? "";
        options.UpdatesTable = SettingParser.Text(configuration, SettingNames.UpdatesTable) ?? options.UpdatesTable;
        options.DeadLettersTable = SettingParser.Text(configuration, SettingNames.DeadLettersTable) ?? options.DeadLettersTable;
    }

    /// <summary>The Table service client for these settings: by connection string, or by identity.</summary>
    public TableServiceClient CreateServiceClient()
    {
        if (!UsesIdentity)
        {
            return new TableServiceClient(ConnectionString);
        }

        var endpoint = TableServiceUri.Length > 0 ? new Uri(TableServiceUri) : new Uri($"https://{AccountName}.table.core.windows.net");
        TokenCredential credential = string.Equals(Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ClientId.Length > 0 ? ManagedIdentityId.FromUserAssignedClientId(ClientId) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
        return new TableServiceClient(endpoint, credential);
    }

    public IEnumerable<string> Validate()
    {
        if (UsesIdentity)
        {
            if (TableServiceUri.Length > 0 && !Uri.TryCreate(TableServiceUri, UriKind.Absolute, out _))
            {
                yield return $"{ConnectionSetting}__tableServiceUri '{TableServiceUri}' is not an absolute URL.";
            }
            else if (TableServiceUri.Length == 0 && !AccountNamePattern().IsMatch(AccountName))
            {
                yield return $"{ConnectionSetting}__accountName '{AccountName}' is not a storage account name (3–24 lowercase letters or digits).";
            }

            if (Credential.Length > 0 && !string.Equals(Credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"{ConnectionSetting}__credential '{Credential}' is not supported (use managedidentity, or leave it out for the developer's own sign-in).";
            }
        }
        else if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return $"{ConnectionSetting} is missing: set it to a storage connection string (UseDevelopmentStorage=true for Azurite), or set {ConnectionSetting}__accountName to connect by identity.";
        }
        else if (!ConnectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            && !ConnectionString.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
            && !ConnectionString.Contains("TableEndpoint=", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{ConnectionSetting} is not a storage connection string (expected AccountName=…;AccountKey=… or UseDevelopmentStorage=true).";
        }

        foreach (var (setting, table) in new[] { (SettingNames.UpdatesTable, UpdatesTable), (SettingNames.DeadLettersTable, DeadLettersTable) })
        {
            if (!TableName().IsMatch(table))
            {
                yield return $"{setting} '{table}' is not a valid table name (3–63 letters or digits, starting with a letter).";
            }
        }
    }

    // Table Storage naming rule: https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#table-names
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex AccountNamePattern();
}
