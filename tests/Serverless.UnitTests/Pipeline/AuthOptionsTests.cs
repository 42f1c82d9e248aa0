using Microsoft.Extensions.Configuration;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Settings;

namespace Serverless.UnitTests.Pipeline;

/// <summary>Who may call the API is checked at start: an issuer the app can trust, never the published development key in Azure.</summary>
public sealed class AuthOptionsTests
{
    private static AuthOptions Bind(params (string Key, string? Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(SettingNames.ConfigurationKey(v.Key), v.Value)))
            .Build();
        var options = new AuthOptions();
        AuthOptions.Bind(options, configuration);
        return options;
    }

    private static readonly (string, string?)[] Local =
    [
        (SettingNames.AuthIssuer, SettingDefaults.LocalIssuer),
        (SettingNames.AuthAudience, SettingDefaults.ApiAudience),
        (SettingNames.AuthSigningKey, SettingDefaults.LocalSigningKey),
    ];

    private static readonly (string, string?)[] Entra =
    [
        (SettingNames.AuthAuthority, "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"),
        (SettingNames.AuthAudience, "66666666-7777-8888-9999-000000000000"),
    ];

    [Fact]
    public void The_samples_development_issuer_and_a_stacks_Entra_ID_are_valid()
    {
        Assert.Empty(Bind(Local).Validate());
        Assert.Empty(Bind([.. Entra, ("WEBSITE_SITE_NAME", "serverless-abc")]).Validate());
    }

    [Fact]
    public void The_development_issuer_is_refused_where_App_Service_runs_the_app()
    {
        var errors = Bind([.. Local, ("WEBSITE_SITE_NAME", "serverless-abc")]).Validate().ToList();

        Assert.Contains(errors, e => e.Contains(SettingNames.AuthAuthority) && e.Contains("not for Azure"));
    }

    [Theory]
    [InlineData(SettingNames.AuthAudience, null, SettingNames.AuthAudience)]
    [InlineData(SettingNames.AuthSigningKey, "c2hvcnQ=", "at least 32")]
    [InlineData(SettingNames.AuthSigningKey, "not base64!", "at least 32")]
    [InlineData(SettingNames.AuthIssuer, null, SettingNames.AuthIssuer)]
    public void A_development_issuer_with_a_missing_or_weak_setting_is_named(string key, string? value, string said)
    {
        var options = Bind([.. Local.Where(v => v.Item1 != key), (key, value)]);

        Assert.Contains(options.Validate(), e => e.Contains(said));
    }

    [Theory]
    [InlineData("http://login.microsoftonline.com/tenant/v2.0", "https")]
    [InlineData("not a url", "https")]
    public void An_authority_must_be_https(string authority, string said)
    {
        Assert.Contains(Bind((SettingNames.AuthAuthority, authority), (SettingNames.AuthAudience, "api")).Validate(), e => e.Contains(said));
    }

    [Fact]
    public void An_authority_and_a_development_issuer_together_are_refused()
    {
        Assert.Contains(Bind([.. Entra, (SettingNames.AuthIssuer, SettingDefaults.LocalIssuer), (SettingNames.AuthSigningKey, SettingDefaults.LocalSigningKey)]).Validate(),
            e => e.Contains("keep one"));
    }

    [Theory]
    [InlineData(SettingNames.RequestsPerSecond, "0")]
    [InlineData(SettingNames.RequestBurst, "5")]
    [InlineData(SettingNames.ChannelsPerUser, "0")]
    public void Limits_out_of_range_are_named(string key, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>(SettingNames.ConfigurationKey(key), value)])
            .Build();
        var options = new LimitsOptions();
        LimitsOptions.Bind(options, configuration);

        Assert.Contains(options.Validate(), e => e.Contains(key));
    }
}
