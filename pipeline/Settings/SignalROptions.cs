using System.Text.RegularExpressions;
using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>Azure SignalR Service in serverless mode (<c>AzureSignalRConnectionString</c>, <c>SignalR__*</c>).</summary>
public sealed partial class SignalROptions : ISelfValidatingOptions
{
    public const string ConnectionSetting = SettingNames.SignalRConnection;

    public string ConnectionString { get; set; } = "";
    public string HubName { get; set; } = SettingDefaults.SignalRHubName;

    /// <summary>How many times a push is tried before it is counted as failed.</summary>
    public int PushAttempts { get; set; } = SettingDefaults.SignalRPushAttempts;

    public SignalRConnectionString Connection => SignalRConnectionString.Parse(ConnectionString, ConnectionSetting);

    public static void Bind(SignalROptions options, IConfiguration configuration)
    {
        options.ConnectionString = SettingParser.Text(configuration, ConnectionSetting) ?? "";
        options.HubName = SettingParser.Text(configuration, SettingNames.SignalRHubName) ?? options.HubName;
        options.PushAttempts = SettingParser.Int(configuration, SettingNames.SignalRPushAttempts, options.PushAttempts);
    }

    public IEnumerable<string> Validate()
    {
        string? connectionError = null;
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            connectionError = $"{ConnectionSetting} is missing: set it to Endpoint=…;AccessKey=…;Version=1.0;";
        }
        else
        {
            try
            {
                _ = Connection;
            }
            catch (FormatException ex)
            {
                connectionError = ex.Message;
            }
        }

        if (connectionError is not null)
        {
            yield return connectionError;
        }

        if (!HubNamePattern().IsMatch(HubName))
        {
            yield return $"{SettingNames.SignalRHubName} '{HubName}' is not a valid hub name (a letter, then letters, digits or _).";
        }

        if (PushAttempts is < 1 or > 10)
        {
            yield return $"{SettingNames.SignalRPushAttempts} must be between 1 and 10 (it is {PushAttempts}).";
        }
    }

    // Stricter than the service's own rule (docs/signalr-service.md) so that the name is the same in paths and audiences.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,127}$")]
    private static partial Regex HubNamePattern();
}
