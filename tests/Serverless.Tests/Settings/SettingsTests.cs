using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serverless.Pipeline;
using Serverless.FunctionsHost.App;
using Serverless.Testing;

namespace Serverless.Tests.Settings;

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
    [InlineData("AzureWebJobsStorage", null, "AzureWebJobsStorage")]
    [InlineData("AzureWebJobsStorage", "not a connection string", "AzureWebJobsStorage")]
    [InlineData("AzureSignalRConnectionString", null, "AzureSignalRConnectionString")]
    [InlineData("AzureSignalRConnectionString", "Endpoint=http://localhost;Version=1.0;", "AccessKey")]
    [InlineData("AzureSignalRConnectionString", "Endpoint=localhost;AccessKey=k;Version=1.0;", "Endpoint")]
    [InlineData("EventHubConnection", null, "EventHubConnection")]
    [InlineData("EventHubName", null, "EventHubName")]
    [InlineData("Tables:Updates", "no-dashes", "Tables__Updates")]
    [InlineData("SignalR:HubName", "1hub", "SignalR__HubName")]
    [InlineData("Ingest:MaxEventBytes", "100000", "Ingest__MaxEventBytes")]
    [InlineData("Ingest:MaxEventBytes", "lots", "Ingest__MaxEventBytes")]
    [InlineData("SignalR:PushAttempts", "often", "SignalR__PushAttempts")]
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
        settings["AzureWebJobsStorage"] = null;
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
        var settings = LocalSettings.Read(Path.Combine(RepoPaths.Root, "local.settings.sample.json"));

        Assert.Equal("dotnet-isolated", settings.Values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("updates", settings.Values["SignalR__HubName"]);
        Assert.Equal(7071, settings.LocalHttpPort);
        Assert.Equal("*", settings.Cors);
        Assert.False(settings.CorsCredentials);
    }

    [Fact]
    public async Task The_sample_settings_are_a_valid_configuration()
    {
        var settings = LocalSettings.Read(Path.Combine(RepoPaths.Root, "local.settings.sample.json"));
        using var app = BuildApp(settings.Values);

        await app.StartAsync();
        await app.StopAsync();
    }
}
