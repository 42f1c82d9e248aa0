namespace Serverless.Infra.Model;

/// <summary>
/// Names the function app and the resources must agree on. Top-level resources get Pulumi's random suffix; these child
/// names are used as they are (docs/azure-deployment.md#names).
/// </summary>
public static class ResourceNames
{
    /// <summary>Tables__Updates and Tables__DeadLetters: the app's tables, created by the stack.</summary>
    public const string UpdatesTable = "updates";
    public const string DeadLettersTable = "deadletters";

    /// <summary>EventHubName and EventHubConsumerGroup: the hub Ingest reads, and Ingest's own consumer group.</summary>
    public const string EventHub = "updates";
    public const string ConsumerGroup = "ingest";

    /// <summary>SignalR__HubName: the SignalR hub clients connect to.</summary>
    public const string SignalRHub = "updates";

    /// <summary>Flex Consumption's deployment container: one deploy keeps the running package there.</summary>
    public const string DeploymentContainer = "app-package";

    /// <summary>Where <c>pulumi up</c> uploads each built package, named by its source identity; one deploy reads it from there.</summary>
    public const string PackagesContainer = "packages";

    /// <summary>The name one deploy requires for the package in the deployment container (docs/azure-deployment.md#deployment).</summary>
    public const string ReleasedPackage = "released-package.zip";

    /// <summary>The Key Vault secret that holds the SignalR connection string (docs/azure-deployment.md#secrets).</summary>
    public const string SignalRSecret = "signalr-connection";

    /// <summary>The blob name of a package: its source identity, so that changed sources are a new blob and unchanged ones no change.</summary>
    public static string PackageBlob(string identity) => $"functions-{identity[..16]}.zip";
}
