namespace Serverless.Infra.Model;

/// <summary>The two plans the function app can run on, and what differs between them.</summary>
public enum HostingPlanKind
{
    /// <summary>Flex Consumption (FC1): scales to zero, per-second billing, deploys through one deploy.</summary>
    FlexConsumption,

    /// <summary>Elastic Premium (EP1–EP3): always one warm instance, no cold start.</summary>
    ElasticPremium,
}

public sealed record HostingPlan(HostingPlanKind Kind, string SkuName, string SkuTier)
{
    /// <summary>The worker runtime: a .NET isolated worker (Flex: functionAppConfig.runtime; Premium: FUNCTIONS_WORKER_RUNTIME).</summary>
    public const string WorkerRuntime = "dotnet-isolated";

    /// <summary>The .NET version the platform runs the worker on (Flex Consumption lists dotnet-isolated 10.0).</summary>
    public const string RuntimeVersion = "10.0";

    /// <summary>Elastic Premium on Linux picks the worker's platform image from linuxFxVersion; Flex has none.</summary>
    public string? LinuxFxVersion => IsFlex ? null : $"DOTNET-ISOLATED|{RuntimeVersion}";

    public static HostingPlan Flex { get; } = new(HostingPlanKind.FlexConsumption, "FC1", "FlexConsumption");

    public static HostingPlan Premium(string sku) => new(HostingPlanKind.ElasticPremium, sku, "ElasticPremium");

    public bool IsFlex => Kind == HostingPlanKind.FlexConsumption;

    /// <summary>
    /// The <c>Microsoft.Web/sites/extensions</c> child that deploys a package from a URL: Flex Consumption only takes
    /// one deploy; the other plans take zip deploy (docs/azure-deployment.md#deployment).
    /// </summary>
    public string DeploymentExtension => IsFlex ? "onedeploy" : "ZipDeploy";
}
