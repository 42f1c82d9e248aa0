using Serverless.Contracts.Settings;
using Serverless.Infra.Model;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.Infra;

public sealed class StackSettingsTests
{
    [Fact]
    public void A_stack_with_only_its_sign_in_gets_Flex_Consumption_and_the_sample_values()
    {
        var settings = Read(("tenantId", InfraSettingsTests.TenantId), ("apiClientId", InfraSettingsTests.ApiClientId));

        Assert.Equal(HostingPlan.Flex, settings.Plan);
        Assert.Equal(("Free_F1", "Free", 1), (settings.SignalRSku, settings.SignalRTier, settings.SignalRUnits));
        Assert.Equal((4, 1, 1), (settings.PartitionCount, settings.RetentionDays, settings.EventHubsCapacity));
        Assert.Equal(FunctionAppSettings.TunableDefaults, settings.AppSettings);
        Assert.Empty(settings.AllowedOrigins);
        Assert.Equal($"https://login.microsoftonline.com/{InfraSettingsTests.TenantId}/v2.0", settings.Entra.Authority);
        Assert.Equal(InfraSettingsTests.ApiClientId, settings.Entra.ApiAudience);
    }

    [Fact]
    public void A_stack_without_its_sign_in_is_refused_naming_both_keys()
    {
        var error = Assert.Throws<StackSettingsException>(() => StackSettings.Read(_ => null));

        Assert.Contains(error.Errors, e => e.Contains("serverless:tenantId is missing"));
        Assert.Contains(error.Errors, e => e.Contains("serverless:apiClientId is missing"));
    }

    [Fact]
    public void Premium_picks_the_Elastic_Premium_plan_and_its_SKU()
    {
        var settings = Read(("plan", "premium"), ("premiumSku", "ep2"));

        Assert.Equal(HostingPlan.Premium("EP2"), settings.Plan);
        Assert.Equal("ZipDeploy", settings.Plan.DeploymentExtension);
        Assert.Equal("onedeploy", HostingPlan.Flex.DeploymentExtension);
    }

    [Fact]
    public void Every_bad_value_is_named_in_one_error()
    {
        var error = Assert.Throws<StackSettingsException>(() => Read(
            ("plan", "consumption"),
            ("partitionCount", "33"),
            ("retentionDays", "week"),
            ("instanceMemoryMB", "1024"),
            ("signalrUnits", "2"),
            ("allowedOrigins", "https://ok.example, https://bad.example/path, ftp://x"),
            ("appSettings", """{"EventHubName": "other", "Ingest__AllowedChannels": "prices.*"}""")));

        Assert.Collection(error.Errors,
            e => Assert.Contains("serverless:plan", e),
            e => Assert.Contains("serverless:instanceMemoryMB", e),
            e => Assert.Contains("serverless:partitionCount must be a whole number from 1 to 32 (it is '33')", e),
            e => Assert.Contains("serverless:retentionDays", e),
            e => Assert.Contains("'https://bad.example/path'", e),
            e => Assert.Contains("'ftp://x'", e),
            e => Assert.Contains("'EventHubName' is not a setting a stack may change", e),
            e => Assert.Contains("serverless:signalrUnits must be 1 with Free_F1", e));
        Assert.Contains("serverless:partitionCount", error.Message);
    }

    [Fact]
    public void Origins_and_app_settings_are_read_from_the_stack()
    {
        var settings = Read(
            ("allowedOrigins", "https://a.example/, http://localhost:8080"),
            ("appSettings", """{"Ingest__AllowedChannels": "prices.*,orders.*", "SignalR__PushAttempts": 5}"""));

        Assert.Equal(["https://a.example", "http://localhost:8080"], settings.AllowedOrigins);
        Assert.Equal("prices.*,orders.*", settings.AppSettings[SettingNames.AllowedChannels]);
        Assert.Equal("5", settings.AppSettings[SettingNames.SignalRPushAttempts]);
        Assert.Equal("8192", settings.AppSettings[SettingNames.DeadLetterBodyBytes]);
    }

    [Fact]
    public void App_settings_the_app_would_refuse_at_start_stop_the_stack_first()
    {
        var error = Assert.Throws<StackSettingsException>(() => Read(
            ("appSettings", """{"Ingest__MaxEventBytes": "lots", "SignalR__PushAttempts": 50}""")));

        Assert.Collection(error.Errors,
            e => Assert.Equal("serverless:appSettings: Setting Ingest__MaxEventBytes is 'lots', which is not an integer.", e),
            e => Assert.Contains("SignalR__PushAttempts must be between 1 and 10 (it is 50)", e));
    }

    [Fact]
    public void A_wildcard_origin_replaces_the_list()
    {
        var settings = Read(("allowedOrigins", "*"));

        Assert.Equal(["*"], FunctionAppSettings.CorsOrigins(settings, "https://page.example", origin => origin));
    }

    [Fact]
    public void The_sample_stack_file_is_a_valid_stack()
    {
        var repo = TestRepo.Layout;
        var values = SampleStackValues(Path.Combine(repo.Root, "infra", "Pulumi.dev.yaml"));

        // The sample names no tenant: each stack sets its own (docs/deploy.md).
        Assert.DoesNotContain("tenantId", values.Keys);
        var settings = StackSettings.Read(key => values.GetValueOrDefault(key) ?? SignIn(key));

        Assert.Equal(["http://localhost:8080"], settings.AllowedOrigins);
        Assert.Equal("prices.*,orders.*", settings.AppSettings[SettingNames.AllowedChannels]);
    }

    /// <summary>The stack of these keys, with a sign-in unless they name one.</summary>
    private static StackSettings Read(params (string Key, string Value)[] values) =>
        StackSettings.Read(key => values.FirstOrDefault(v => v.Key == key).Value ?? SignIn(key));

    private static string? SignIn(string key) => key switch
    {
        "tenantId" => InfraSettingsTests.TenantId,
        "apiClientId" => InfraSettingsTests.ApiClientId,
        _ => null,
    };

    // The sample stack file's serverless:* keys, as Pulumi hands them to the program: scalars as text, a map as JSON.
    private static Dictionary<string, string> SampleStackValues(string path)
    {
        var values = new Dictionary<string, string>();
        string? map = null;
        var entries = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(path).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')))
        {
            var text = line.Trim();
            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (line.StartsWith("    ", StringComparison.Ordinal) && map is not null)
            {
                entries[text[..colon]] = text[(colon + 2)..].Trim('"');
            }
            else if (text.StartsWith("serverless:", StringComparison.Ordinal))
            {
                var key = text["serverless:".Length..].TrimEnd(':');
                if (text.EndsWith(':'))
                {
                    map = key;
                }
                else
                {
                    key = key[..key.IndexOf(':')];
                    values[key] = text[(colon + 2)..].Trim('"');
                }
            }
        }

        if (map is not null)
        {
            values[map] = System.Text.Json.JsonSerializer.Serialize(entries);
        }

        return values;
    }
}
