using System.Text.RegularExpressions;

namespace Serverless.Functions.Settings;

/// <summary>Table Storage: the account (<c>AzureWebJobsStorage</c>) and the tables (<c>Tables__*</c>).</summary>
public sealed partial class StorageOptions : ISelfValidatingOptions
{
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public string ConnectionString { get; set; } = "";
    public string UpdatesTable { get; set; } = "updates";
    public string DeadLettersTable { get; set; } = "deadletters";

    public static void Bind(StorageOptions options, IConfiguration configuration)
    {
        options.ConnectionString = configuration[ConnectionSetting] ?? "";
        options.UpdatesTable = configuration["Tables:Updates"] ?? options.UpdatesTable;
        options.DeadLettersTable = configuration["Tables:DeadLetters"] ?? options.DeadLettersTable;
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return $"{ConnectionSetting} is missing: set it to a storage connection string (UseDevelopmentStorage=true for Azurite).";
        }
        else if (!ConnectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            && !ConnectionString.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
            && !ConnectionString.Contains("TableEndpoint=", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{ConnectionSetting} is not a storage connection string (expected AccountName=…;AccountKey=… or UseDevelopmentStorage=true).";
        }

        foreach (var (setting, table) in new[] { ("Tables__Updates", UpdatesTable), ("Tables__DeadLetters", DeadLettersTable) })
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
}
