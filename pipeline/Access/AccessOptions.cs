using System.Globalization;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Access;

/// <summary>
/// Who may follow which channels (<c>Access__*</c>), deny by default: patterns anyone may follow, patterns per role
/// (the token's <c>roles</c> claim), and patterns with <c>{user}</c> for each signed-in user's own channels
/// (docs/identity.md#channel-rules).
/// </summary>
public sealed class AccessOptions : ISelfValidatingOptions
{
    public IReadOnlyList<string> PublicChannels { get; set; } = [];

    /// <summary>Role name → the patterns its holders may follow.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RoleChannels { get; set; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyList<string> UserChannels { get; set; } = [];

    /// <summary>How long a subscription lasts unless the client renews it.</summary>
    public int SubscriptionMinutes { get; set; } = SettingDefaults.SubscriptionMinutes;

    private List<string> errors = [];

    public static void Bind(AccessOptions options, IConfiguration configuration)
    {
        options.PublicChannels = SettingParser.List(configuration, SettingNames.PublicChannels, []);
        options.UserChannels = SettingParser.List(configuration, SettingNames.UserChannels, []);
        options.SubscriptionMinutes = SettingParser.Int(configuration, SettingNames.SubscriptionMinutes, options.SubscriptionMinutes);
        (options.RoleChannels, options.errors) = ParseRoles(SettingParser.Text(configuration, SettingNames.RoleChannels) ?? "");
    }

    /// <summary><c>role=pattern,pattern;role=pattern</c>: each role with the patterns its holders may follow.</summary>
    public static (IReadOnlyDictionary<string, IReadOnlyList<string>> Roles, List<string> Errors) ParseRoles(string text)
    {
        var roles = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=');
            var role = equals > 0 ? entry[..equals].Trim() : "";
            var patterns = equals > 0 ? entry[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (role.Length == 0 || patterns.Length == 0)
            {
                errors.Add($"{SettingNames.RoleChannels} has '{entry}', which is not role=pattern[,pattern…].");
                continue;
            }

            roles[role] = roles.TryGetValue(role, out var earlier) ? [.. earlier, .. patterns] : patterns;
        }

        return (roles, errors);
    }

    public IEnumerable<string> Validate()
    {
        foreach (var error in errors)
        {
            yield return error;
        }

        var named = PublicChannels.Select(p => (SettingNames.PublicChannels, p))
            .Concat(RoleChannels.Values.SelectMany(list => list).Select(p => (SettingNames.RoleChannels, p)))
            .Concat(UserChannels.Select(p => (SettingNames.UserChannels, p)));
        foreach (var (setting, pattern) in named)
        {
            if (ChannelPattern.Describe(pattern, allowUser: setting == SettingNames.UserChannels) is { } problem)
            {
                yield return $"{setting} has '{pattern}': {problem}.";
            }
        }

        if (SubscriptionMinutes is < 1 or > 24 * 60)
        {
            yield return $"{SettingNames.SubscriptionMinutes} must be between 1 and {(24 * 60).ToString(CultureInfo.InvariantCulture)} (it is {SubscriptionMinutes}).";
        }
    }
}
