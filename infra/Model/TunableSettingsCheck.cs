using Microsoft.Extensions.Configuration;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Settings;

namespace Serverless.Infra.Model;

/// <summary>
/// Checks a stack's values for the function app's tunable settings with the app's own option rules, so that a value the
/// app would refuse at start in Azure stops <c>pulumi up</c> instead.
/// </summary>
internal static class TunableSettingsCheck
{
    // Only the tunable settings are given: the connection they are checked with is a placeholder of the right shape.
    private const string PlaceholderSignalR = "Endpoint=https://placeholder.service.signalr.net;AccessKey=cGxhY2Vob2xkZXI=;Version=1.0;";

    public static IReadOnlyList<string> Errors(IReadOnlyDictionary<string, string> values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ConfigurationPath.KeyDelimiter), v.Value)))
            .Build();
        return
        [
            .. Check<IngestOptions>(IngestOptions.Bind, configuration),
            .. Check<AccessOptions>(AccessOptions.Bind, configuration),
            .. Check<LimitsOptions>(LimitsOptions.Bind, configuration),
            .. Check<SignalROptions>((options, settings) =>
            {
                SignalROptions.Bind(options, settings);
                options.ConnectionString = PlaceholderSignalR;
            }, configuration),
        ];
    }

    private static IEnumerable<string> Check<TOptions>(Action<TOptions, IConfiguration> bind, IConfiguration configuration)
        where TOptions : ISelfValidatingOptions, new()
    {
        var options = new TOptions();
        try
        {
            // A value that doesn't parse is refused while binding, with the setting's name.
            bind(options, configuration);
        }
        catch (InvalidOperationException ex)
        {
            return [ex.Message];
        }

        return options.Validate().ToList();
    }
}
