using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.App;
using Serverless.Pipeline;
using Serverless.Testing;

namespace Serverless.Tests.Functions;

/// <summary>
/// The app's option rules, on its own service registration in a plain host (the worker runs the same registration:
/// the end-to-end tests show a worker stopped by a bad setting).
/// </summary>
public sealed class SettingsTests
{
    private static IHost BuildApp(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in settings)
        {
            configuration[name.Replace("__", ":")] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddUpdatePipeline();
        return builder.Build();
    }

    private static Dictionary<string, string?> Valid() => FunctionAppServer.Settings(
        "UseDevelopmentStorage=true", $"Endpoint=http://localhost;Port=8888;AccessKey={Serverless.SignalRService.ServiceOptions.DevelopmentAccessKey};Version=1.0;");

    [Theory]
    [InlineData(SettingNames.Storage, null, SettingNames.Storage)]
    [InlineData(SettingNames.Storage, "not a connection string", SettingNames.Storage)]
    [InlineData(SettingNames.SignalRConnection, null, SettingNames.SignalRConnection)]
    [InlineData(SettingNames.SignalRConnection, "Endpoint=http://localhost;Version=1.0;", "AccessKey")]
    [InlineData(SettingNames.SignalRConnection, "Endpoint=localhost;AccessKey=k;Version=1.0;", "Endpoint")]
    [InlineData(SettingNames.EventHubConnection, null, SettingNames.EventHubConnection)]
    [InlineData(SettingNames.EventHubName, null, SettingNames.EventHubName)]
    [InlineData("Tables:Updates", "no-dashes", SettingNames.UpdatesTable)]
    [InlineData("SignalR:HubName", "1hub", SettingNames.SignalRHubName)]
    [InlineData("Ingest:MaxEventBytes", "100000", SettingNames.MaxEventBytes)]
    [InlineData("Ingest:MaxEventBytes", "lots", SettingNames.MaxEventBytes)]
    [InlineData("SignalR:PushAttempts", "often", SettingNames.SignalRPushAttempts)]
    public async Task A_missing_or_malformed_setting_stops_the_app_and_names_the_setting(string key, string? value, string named)
    {
        var settings = Valid();
        settings[key] = value;
        using var app = BuildApp(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains(named, error is OptionsValidationException validation ? string.Join(" ", validation.Failures) : error.Message);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:accountName", "Not_An_Account", "AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsStorage:tableServiceUri", "tables.example", "AzureWebJobsStorage__tableServiceUri")]
    [InlineData("AzureWebJobsStorage:credential", "clientsecret", "AzureWebJobsStorage__credential")]
    public async Task A_malformed_identity_connection_stops_the_app_and_names_the_setting(string key, string value, string named)
    {
        var settings = Valid();
        settings[SettingNames.Storage] = null;
        settings["AzureWebJobsStorage:accountName"] = "serverlessabc123";
        settings[key] = value;
        using var app = BuildApp(settings);

        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(named, string.Join(" ", error.Failures));
    }

    [Fact]
    public async Task Valid_settings_start_the_app()
    {
        using var app = BuildApp(Valid());

        await app.StartAsync();
        await app.StopAsync();
    }

    [Fact]
    public void The_sample_settings_file_is_read_like_core_tools_reads_it()
    {
        var settings = LocalSettings.Read(Path.Combine(TestRepo.Layout.Root, "local.settings.sample.json"));

        Assert.Equal("dotnet-isolated", settings.Values[SettingNames.WorkerRuntime]);
        Assert.Equal("updates", settings.Values[SettingNames.SignalRHubName]);
        Assert.Equal(7071, settings.LocalHttpPort);
        Assert.Equal("*", settings.Cors);
        Assert.False(settings.CorsCredentials);
    }

    [Fact]
    public async Task The_sample_settings_are_a_valid_configuration()
    {
        var settings = LocalSettings.Read(Path.Combine(TestRepo.Layout.Root, "local.settings.sample.json"));
        using var app = BuildApp(settings.Values);

        await app.StartAsync();
        await app.StopAsync();
    }
}
