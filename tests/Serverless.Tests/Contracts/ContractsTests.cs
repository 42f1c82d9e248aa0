using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.App;
using Serverless.Testing;

namespace Serverless.Tests.Contracts;

/// <summary>The contracts project stays free of dependencies, and local.settings.sample.json says what it says.</summary>
public sealed class ContractsTests
{
    [Fact]
    public void The_contracts_assembly_references_only_the_framework()
    {
        var references = typeof(ApiRoutes).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", name));
    }

    [Fact]
    public void The_sample_settings_are_the_contracts_local_values()
    {
        var sample = LocalSettings.Read(TestRepo.Layout.SettingsSample);

        Assert.Equal(SettingDefaults.LocalValues.ToDictionary(v => v.Key, v => (string?)v.Value), sample.Values);
    }
}
