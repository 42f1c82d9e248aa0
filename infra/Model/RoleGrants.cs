namespace Serverless.Infra.Model;

/// <summary>What a role assignment is scoped to, from the widest the app needs to the narrowest.</summary>
public enum RoleScope
{
    /// <summary>The app's own storage account: its tables, the host's containers and the deployment container, not the web site.</summary>
    StorageAccount,
    UpdatesTable,
    DeadLettersTable,
    EventHub,
    SignalRSecret,
}

/// <summary>A built-in role given to the function app's system-assigned identity, at one scope, for one reason.</summary>
public sealed record RoleGrant(string Role, string RoleDefinitionId, RoleScope Scope, string Reason)
{
    /// <summary>A short, stable name for the Pulumi resource.</summary>
    public string ResourceName => $"app-{Scope.ToString().ToLowerInvariant()}-{Role.Split(' ')[^1].ToLowerInvariant()}";
}

/// <summary>
/// The function app's role assignments: data-plane roles only, each at the narrowest scope that works. Role ids are
/// Azure's built-in role GUIDs (docs/azure-deployment.md#roles).
/// </summary>
public static class RoleGrants
{
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string EventHubsDataReceiver = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
    public const string EventHubsDataSender = "2b629674-e913-4c01-ae53-ef4638d8f975";
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    public static readonly IReadOnlyList<RoleGrant> ForFunctionApp =
    [
        // The host keeps Event Hubs checkpoints and leases in containers it creates (azure-webjobs-*), and Flex Consumption
        // reads the package from the deployment container: the host's storage needs Blob Data Owner on the account
        // (docs/azure-deployment.md#identity-based-connections). The account is the app's alone: the web site and the
        // uploaded packages are in another, where the app has no role.
        new("Storage Blob Data Owner", StorageBlobDataOwner, RoleScope.StorageAccount, "host storage (checkpoints, leases) and the deployment package"),
        // The app's own data: rows in its two tables, nothing else in the account.
        new("Storage Table Data Contributor", StorageTableDataContributor, RoleScope.UpdatesTable, "the update log, heads and snapshots"),
        new("Storage Table Data Contributor", StorageTableDataContributor, RoleScope.DeadLettersTable, "dead-letter records"),
        // Ingest only reads its hub.
        new("Azure Event Hubs Data Receiver", EventHubsDataReceiver, RoleScope.EventHub, "Ingest's trigger reads the hub"),
        // The SignalR connection string, the one key the app holds, through a Key Vault reference (docs/azure-deployment.md#secrets).
        new("Key Vault Secrets User", KeyVaultSecretsUser, RoleScope.SignalRSecret, "the SignalR connection string's secret"),
    ];

    /// <summary>What a producer gets: sending to the hub, signed in with Microsoft Entra ID; the namespace takes no keys.</summary>
    public static readonly RoleGrant ForProducer =
        new("Azure Event Hubs Data Sender", EventHubsDataSender, RoleScope.EventHub, "a producer sends to the hub");

    /// <summary>The full role definition id in a subscription, as a role assignment takes it.</summary>
    public static string DefinitionPath(string subscriptionId, string roleDefinitionId) =>
        $"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}";
}
