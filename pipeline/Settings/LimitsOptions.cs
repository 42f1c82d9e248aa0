using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>
/// How much one client may ask of the API (<c>Limits__*</c>): a token bucket per user, per address for anonymous
/// callers, refilled at <see cref="RequestsPerSecond"/> and holding <see cref="RequestBurst"/> (docs/identity.md#limits-per-client).
/// </summary>
public sealed class LimitsOptions : ISelfValidatingOptions
{
    public int RequestsPerSecond { get; set; } = SettingDefaults.RequestsPerSecond;
    public int RequestBurst { get; set; } = SettingDefaults.RequestBurst;

    /// <summary>How many channels one SignalR user may be subscribed to at once (on one worker).</summary>
    public int ChannelsPerUser { get; set; } = SettingDefaults.ChannelsPerUser;

    public static void Bind(LimitsOptions options, IConfiguration configuration)
    {
        options.RequestsPerSecond = SettingParser.Int(configuration, SettingNames.RequestsPerSecond, options.RequestsPerSecond);
        options.RequestBurst = SettingParser.Int(configuration, SettingNames.RequestBurst, options.RequestBurst);
        options.ChannelsPerUser = SettingParser.Int(configuration, SettingNames.ChannelsPerUser, options.ChannelsPerUser);
    }

    public IEnumerable<string> Validate()
    {
        if (RequestsPerSecond is < 1 or > 100_000)
        {
            yield return $"{SettingNames.RequestsPerSecond} must be between 1 and 100000 (it is {RequestsPerSecond}).";
        }

        if (RequestBurst < RequestsPerSecond || RequestBurst > 1_000_000)
        {
            yield return $"{SettingNames.RequestBurst} must be at least {SettingNames.RequestsPerSecond} ({RequestsPerSecond}) and at most 1000000 (it is {RequestBurst}).";
        }

        if (ChannelsPerUser is < 1 or > 100_000)
        {
            yield return $"{SettingNames.ChannelsPerUser} must be between 1 and 100000 (it is {ChannelsPerUser}).";
        }
    }
}
