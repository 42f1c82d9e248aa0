using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Access;

/// <summary>The answer to "may this caller follow this channel?".</summary>
public enum AccessDecision
{
    Allowed,

    /// <summary>Not for anonymous callers: signing in could help (401).</summary>
    SignInRequired,

    /// <summary>The caller is known and no rule allows it (403).</summary>
    Forbidden,
}

/// <summary>
/// The channel rules, deny by default: a channel may be followed when a public pattern, a pattern of one of the
/// caller's roles, or a user pattern with the caller's own id matches it (<c>Access__*</c>, docs/identity.md).
/// </summary>
public sealed class ChannelAccess
{
    private readonly AccessOptions options;
    private readonly Regex[] publicPatterns;
    private readonly Dictionary<string, Regex[]> rolePatterns;
    private readonly Regex[] userPatterns;

    public ChannelAccess(IOptions<AccessOptions> options)
    {
        this.options = options.Value;
        publicPatterns = [.. this.options.PublicChannels.Select(p => ChannelPattern.ToRegex(p))];
        rolePatterns = this.options.RoleChannels.ToDictionary(r => r.Key, r => r.Value.Select(p => ChannelPattern.ToRegex(p)).ToArray(), StringComparer.Ordinal);
        userPatterns = [.. this.options.UserChannels.Select(ChannelPattern.ToRegex)];
    }

    public TimeSpan SubscriptionLifetime => TimeSpan.FromMinutes(options.SubscriptionMinutes);

    public AccessDecision Check(Caller caller, string channel) =>
        MayFollow(caller, channel) ? AccessDecision.Allowed
        : caller.IsSignedIn ? AccessDecision.Forbidden
        : AccessDecision.SignInRequired;

    public bool MayFollow(Caller caller, string channel)
    {
        if (publicPatterns.Any(p => p.IsMatch(channel)))
        {
            return true;
        }

        if (!caller.IsSignedIn)
        {
            return false;
        }

        foreach (var role in caller.Roles)
        {
            if (rolePatterns.TryGetValue(role, out var patterns) && patterns.Any(p => p.IsMatch(channel)))
            {
                return true;
            }
        }

        return userPatterns.Any(p => ChannelPattern.IsMatch(p, channel, caller.UserId));
    }

    /// <summary>
    /// The name ranges under <paramref name="prefix"/> in which the caller may find channels it may follow: each allowed
    /// pattern's literal start, narrowed to the prefix, with ranges inside another left out. A listing reads only these,
    /// so that a caller who may see few channels costs few reads however many channels there are.
    /// </summary>
    public IReadOnlyList<string> ListingPrefixes(Caller caller, string prefix)
    {
        var patterns = options.PublicChannels.Select(p => ChannelPattern.LiteralPrefix(p));
        if (caller.IsSignedIn)
        {
            patterns = patterns
                .Concat(caller.Roles.Where(options.RoleChannels.ContainsKey).SelectMany(role => options.RoleChannels[role]).Select(p => ChannelPattern.LiteralPrefix(p)))
                .Concat(UserPatterns(caller).Select(p => ChannelPattern.LiteralPrefix(p, caller.UserId)));
        }

        var narrowed = patterns
            .Select(start => start.StartsWith(prefix, StringComparison.Ordinal) ? start : prefix.StartsWith(start, StringComparison.Ordinal) ? prefix : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return [.. narrowed.Where(start => !narrowed.Any(other => other != start && start.StartsWith(other, StringComparison.Ordinal)))];
    }

    private IEnumerable<string> UserPatterns(Caller caller) =>
        caller.UserId is { } id && ChannelPattern.IsChannelSafeUserId(id) ? options.UserChannels : [];
}
