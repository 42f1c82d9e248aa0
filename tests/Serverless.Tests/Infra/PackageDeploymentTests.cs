using System.Text.Json;
using Serverless.Infra.Model;

namespace Serverless.Tests.Infra;

public sealed class PackageDeploymentTests
{
    [Theory]
    [InlineData("flex", "onedeploy")]
    [InlineData("premium", "ZipDeploy")]
    public void The_template_deploys_the_package_through_the_plans_extension(string plan, string extension)
    {
        var stack = InfraSettingsTests.Stack(plan);

        using var template = JsonDocument.Parse(PackageDeployment.Template(stack.Plan));

        var resource = Assert.Single(template.RootElement.GetProperty("resources").EnumerateArray());
        Assert.Equal("Microsoft.Web/sites/extensions", resource.GetProperty("type").GetString());
        Assert.Equal($"[format('{{0}}/{extension}', parameters('siteName'))]", resource.GetProperty("name").GetString());
        Assert.Equal("[parameters('packageUri')]", resource.GetProperty("properties").GetProperty("packageUri").GetString());
        Assert.Equal("securestring", template.RootElement.GetProperty("parameters").GetProperty("packageUri").GetProperty("type").GetString());
    }

    [Fact]
    public void The_package_link_expires_in_at_least_a_month_and_moves_once_a_month()
    {
        var early = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var late = new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero);

        Assert.Equal("2027-01-01T00:00:00Z", PackageDeployment.LinkExpiry(early));
        Assert.Equal(PackageDeployment.LinkExpiry(early), PackageDeployment.LinkExpiry(late));
        Assert.True(DateTimeOffset.Parse(PackageDeployment.LinkExpiry(late)) - late > TimeSpan.FromDays(31));
    }

    [Fact]
    public void A_package_blob_is_named_by_its_content()
    {
        Assert.Equal("functions-0123456789abcdef.zip", ResourceNames.PackageBlob("0123456789abcdef0123456789abcdef"));
    }
}
