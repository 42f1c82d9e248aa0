namespace Serverless.Infra.Model;

/// <summary>What a role assignment is scoped to, from the widest the app needs to the narrowest.</summary>
public enum RoleScope
{
    StorageAccount,
    UpdatesTable,
    DeadLettersTable,
    EventHub,
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

    public static readonly IReadOnlyList<RoleGrant> ForFunctionApp =
    [
        // The host keeps Event Hubs checkpoints and leases in containers it creates (azure-webjobs-*), and Flex Consumption
        // reads the package from the deployment container: the host's storage needs Blob Data Owner on the account
        // (docs/azure-deployment.md#identity-based-connections).
        new("Storage Blob Data Owner", StorageBlobDataOwner, RoleScope.StorageAccount, "host storage (checkpoints, leases) and the deployment package"),
        // The app's own data: rows in its two tables, nothing else in the account.
        new("Storage Table Data Contributor", StorageTableDataContributor, RoleScope.UpdatesTable, "the update log, heads and snapshots"),
        new("Storage Table Data Contributor", StorageTableDataContributor, RoleScope.DeadLettersTable, "dead-letter records"),
        // Ingest only reads its hub; producers send with the "send" rule's key.
        new("Azure Event Hubs Data Receiver", EventHubsDataReceiver, RoleScope.EventHub, "Ingest's trigger reads the hub"),
    ];

    /// <summary>The full role definition id in a subscription, as a role assignment takes it.</summary>
    public static string DefinitionPath(string subscriptionId, string roleDefinitionId) =>
        $"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}";
}
