using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost.App;
using Serverless.Infra.Model;
using Serverless.Pipeline.Settings;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.Infra;

/// <summary>Keeps the stack and the function app in step: every setting the app reads is one the stack sets.</summary>
public sealed class InfraSettingsTests
{
    private static readonly RepoLayout Repo = TestRepo.Layout;

    public static TheoryData<string> Plans => new() { "flex", "premium" };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_setting_of_the_sample_is_set_by_the_stack(string plan)
    {
        var stack = Stack(plan);
        var names = AppSettingNames(stack);
        var elsewhere = FunctionAppSettings.SetElsewhere(stack.Plan);

        var missing = SampleValues().Keys
            .Where(name => !names.Contains(name) && !names.Any(set => set.StartsWith(name + "__", StringComparison.Ordinal)) && !elsewhere.ContainsKey(name))
            .Where(name => !FunctionAppSettings.LocalOnly.Contains(name))
            .ToList();

        Assert.True(missing.Count == 0, $"Set by local.settings.sample.json but not by the stack ({plan}): {string.Join(", ", missing)}");
        // The development issuer is for one machine: a stack names Entra ID, and never the published key.
        Assert.Empty(FunctionAppSettings.LocalOnly.Intersect(names));
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_connection_and_binding_expression_of_the_functions_has_a_setting(string plan)
    {
        var names = AppSettingNames(Stack(plan));
        var needed = new List<(string Function, string Setting, bool IsConnection)>();
        // The bindings as the SDK wrote them for the build (the same the worker reports to the host).
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepo.Layout.FunctionAppFolder, "functions.metadata")))!.AsArray();
        foreach (var function in metadata)
        {
            var name = function!["name"]!.GetValue<string>();
            foreach (var binding in function["bindings"]!.AsArray())
            {
                foreach (var (key, node) in binding!.AsObject())
                {
                    if (node is not System.Text.Json.Nodes.JsonValue value || !value.TryGetValue<string>(out var text))
                    {
                        continue;
                    }

                    if (key is "connection" or "connectionStringSetting")
                    {
                        needed.Add((name, text, true));
                    }
                    else if (text.Length > 2 && text.StartsWith('%') && text.EndsWith('%'))
                    {
                        // %Section:Key% names the app setting Section__Key.
                        needed.Add((name, text.Trim('%').Replace(":", "__"), false));
                    }
                }
            }
        }

        Assert.Contains(needed, n => n.IsConnection);
        var missing = needed
            .Where(n => !names.Contains(n.Setting) && !(n.IsConnection && names.Any(set => set.StartsWith(n.Setting + "__", StringComparison.Ordinal))))
            .Select(n => $"{n.Function}: {n.Setting}")
            .ToList();
        Assert.True(missing.Count == 0, $"Named in functions.metadata but not set by the stack ({plan}): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Flex_Consumption_gets_none_of_the_settings_it_rejects()
    {
        string[] rejected = [SettingNames.WorkerRuntime, "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"];

        var names = AppSettingNames(Stack("flex"));

        Assert.Empty(rejected.Intersect(names));
    }

    [Fact]
    public void The_stacks_defaults_are_the_samples_values()
    {
        var sample = SampleValues();

        foreach (var (name, value) in FunctionAppSettings.TunableDefaults)
        {
            Assert.Equal(sample[name], value);
        }
    }

    [Fact]
    public void The_samples_CORS_becomes_the_sites_CORS_with_the_web_page_as_origin()
    {
        var sample = LocalSettings.Read(Repo.SettingsSample);

        var origins = FunctionAppSettings.CorsOrigins(Stack("flex"), "https://page.example", origin => origin);

        var credentials = FunctionAppSettings.CorsCredentials;
        Assert.Equal(sample.CorsCredentials, credentials);
        Assert.Equal(["https://page.example", "http://localhost:8080"], origins);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_function_app_accepts_the_settings_the_stack_gives_it(string plan)
    {
        var settings = FunctionAppSettings.For(Stack(plan), Deployed());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":"), s.Value)))
            .Build();

        var errors = Validate<StorageOptions>(StorageOptions.Bind, configuration)
            .Concat(Validate<EventHubTriggerOptions>(EventHubTriggerOptions.Bind, configuration))
            .Concat(Validate<SignalROptions>(SignalROptions.Bind, configuration))
            .Concat(Validate<IngestOptions>(IngestOptions.Bind, configuration))
            .ToList();

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        var storage = new StorageOptions();
        StorageOptions.Bind(storage, configuration);
        Assert.True(storage.UsesIdentity);
        Assert.Equal("https://serverlessabc123.table.core.windows.net/", storage.CreateServiceClient().Uri.ToString());
    }

    [Fact]
    public void The_SignalR_key_is_a_versionless_Key_Vault_reference()
    {
        Assert.Equal("@Microsoft.KeyVault(SecretUri=https://kv-abc.vault.azure.net/secrets/signalr-connection/)",
            FunctionAppSettings.KeyVaultReference("https://kv-abc.vault.azure.net/", ResourceNames.SignalRSecret));
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_app_takes_Entra_IDs_tokens_in_Azure(string plan)
    {
        var settings = FunctionAppSettings.For(Stack(plan), Deployed()).ToDictionary(s => s.Key, s => s.Value);

        Assert.Equal($"https://login.microsoftonline.com/{TenantId}/v2.0", settings[SettingNames.AuthAuthority]);
        Assert.Equal(ApiClientId, settings[SettingNames.AuthAudience]);
        Assert.Equal("oid", settings[SettingNames.AuthUserIdClaim]);
    }

    internal static StackSettings Stack(string plan) => StackSettings.Read(key => key switch
    {
        "plan" => plan,
        "allowedOrigins" => "http://localhost:8080",
        "tenantId" => TenantId,
        "apiClientId" => ApiClientId,
        _ => null,
    });

    internal const string TenantId = "11111111-2222-3333-4444-555555555555";
    internal const string ApiClientId = "66666666-7777-8888-9999-000000000000";

    /// <summary>Values shaped like the ones Azure hands the stack, for a stack that never ran.</summary>
    internal static DeployedValues<string> Deployed() => new(
        StorageAccountName: "serverlessabc123",
        EventHubsHost: "serverlessabc123.servicebus.windows.net",
        SignalRConnectionString: "Endpoint=https://serverlessabc123.service.signalr.net;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;",
        AppInsightsConnectionString: "InstrumentationKey=00000000-0000-0000-0000-000000000000",
        Literal: value => value,
        ContentShareConnectionString: "DefaultEndpointsProtocol=https;AccountName=serverlessabc123;AccountKey=a2V5;EndpointSuffix=core.windows.net",
        ContentShareName: "serverless-content");

    private static HashSet<string> AppSettingNames(StackSettings stack)
    {
        var settings = FunctionAppSettings.For(stack, Deployed());
        var names = settings.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(settings.Count, names.Count);
        return names;
    }

    private static Dictionary<string, string> SampleValues() =>
        LocalSettings.Read(Repo.SettingsSample).Values.ToDictionary(v => v.Key, v => v.Value ?? "");

    private static IEnumerable<string> Validate<T>(Action<T, IConfiguration> bind, IConfiguration configuration) where T : ISelfValidatingOptions, new()
    {
        var options = new T();
        bind(options, configuration);
        return options.Validate();
    }
}
