namespace Serverless.Infra.Model;

/// <summary>The two plans the function app can run on, and what differs between them.</summary>
public enum HostingPlanKind
{
    /// <summary>Flex Consumption (FC1): scales to zero, per-second billing, deploys through one deploy.</summary>
    FlexConsumption,

    /// <summary>Elastic Premium (EP1–EP3): always one warm instance; runs custom handlers on Linux, documented and GA.</summary>
    ElasticPremium,
}

public sealed record HostingPlan(HostingPlanKind Kind, string SkuName, string SkuTier)
{
    public const string CustomRuntime = "custom";

    public static HostingPlan Flex { get; } = new(HostingPlanKind.FlexConsumption, "FC1", "FlexConsumption");

    public static HostingPlan Premium(string sku) => new(HostingPlanKind.ElasticPremium, sku, "ElasticPremium");

    public bool IsFlex => Kind == HostingPlanKind.FlexConsumption;

    /// <summary>
    /// The <c>Microsoft.Web/sites/extensions</c> child that deploys a package from a URL: Flex Consumption only takes
    /// one deploy; the other plans take zip deploy (functions-infrastructure-as-code.md, "Deployment sources").
    /// </summary>
    public string DeploymentExtension => IsFlex ? "onedeploy" : "ZipDeploy";
}
