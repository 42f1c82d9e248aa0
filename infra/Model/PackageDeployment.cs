using System.Text.Json.Nodes;

namespace Serverless.Infra.Model;

/// <summary>
/// How a built package reaches the running app. An upload to the deployment container alone is not deployed: the
/// package must go through one deploy (Flex Consumption) or zip deploy (Elastic Premium), which an ARM template
/// asks for with a <c>Microsoft.Web/sites/extensions</c> child and the package's URL (docs/azure-deployment.md#deployment).
/// The stack runs that template as an ARM deployment.
/// </summary>
public static class PackageDeployment
{
    public const string SiteNameParameter = "siteName";
    public const string PackageUriParameter = "packageUri";

    public static string Template(HostingPlan plan)
    {
        var extension = new JsonObject
        {
            ["type"] = "Microsoft.Web/sites/extensions",
            ["apiVersion"] = "2022-09-01",
            ["name"] = $"[format('{{0}}/{plan.DeploymentExtension}', parameters('{SiteNameParameter}'))]",
            ["properties"] = plan.IsFlex
                ? new JsonObject { ["packageUri"] = $"[parameters('{PackageUriParameter}')]", ["remoteBuild"] = false }
                : new JsonObject { ["packageUri"] = $"[parameters('{PackageUriParameter}')]" },
        };
        var template = new JsonObject
        {
            ["$schema"] = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            ["contentVersion"] = "1.0.0.0",
            ["parameters"] = new JsonObject
            {
                [SiteNameParameter] = new JsonObject { ["type"] = "string" },
                [PackageUriParameter] = new JsonObject { ["type"] = "securestring" },
            },
            ["resources"] = new JsonArray(extension),
        };
        return template.ToJsonString();
    }

    /// <summary>
    /// When the read-only link to the package stops working: the first day of the month after next. The link only has
    /// to live through the deployment, and a date that moves once a month keeps an unchanged stack from redeploying on
    /// every <c>pulumi up</c> (the signed link is part of the deployment's inputs).
    /// </summary>
    public static string LinkExpiry(DateTimeOffset now)
    {
        var month = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(2);
        return month.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }
}
