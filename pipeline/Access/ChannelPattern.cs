using System.Text.RegularExpressions;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Access;

/// <summary>
/// A channel rule's pattern: a channel name in which <c>*</c> matches any run of characters, and, in the user rules,
/// <c>{user}</c> stands for the caller's own user id (docs/identity.md#channel-rules).
/// </summary>
internal static partial class ChannelPattern
{
    public const string UserPlaceholder = "{user}";

    /// <summary>What is wrong with a pattern, or null when it is one.</summary>
    public static string? Describe(string pattern, bool allowUser)
    {
        var hasUser = pattern.Contains(UserPlaceholder, StringComparison.Ordinal);
        if (hasUser && !allowUser)
        {
            return $"{UserPlaceholder} is for the user rules only";
        }

        if (!hasUser && allowUser)
        {
            return $"a user rule names {UserPlaceholder}, or it would give every user the same channels";
        }

        var literal = pattern.Replace(UserPlaceholder, "u", StringComparison.Ordinal).Replace("*", "", StringComparison.Ordinal);
        return literal.Length == 0 || ChannelName.IsValid(literal) || pattern == "*"
            ? null
            : "a pattern holds letters, digits, . - _ : and * only";
    }

    /// <summary>
    /// True when <paramref name="userId"/> can stand in a channel name as one segment: the user rules give a user
    /// whose id cannot no private channels at all, rather than channels that mean something else.
    /// </summary>
    public static bool IsChannelSafeUserId(string userId) => UserIdPattern().IsMatch(userId);

    /// <summary>
    /// The pattern as a regular expression, built once: <c>{user}</c> becomes a group named <see cref="UserGroup"/> that
    /// takes one channel segment, which <see cref="IsMatch"/> compares with the caller's user id.
    /// </summary>
    public static Regex ToRegex(string pattern)
    {
        var body = Glob.Body(pattern);
        var placeholder = Regex.Escape(UserPlaceholder);
        var first = body.IndexOf(placeholder, StringComparison.Ordinal);
        if (first >= 0)
        {
            body = body[..first] + $"(?<{UserGroup}>{UserIdCharacters})"
                + body[(first + placeholder.Length)..].Replace(placeholder, $@"\k<{UserGroup}>", StringComparison.Ordinal);
        }

        return Glob.Anchored(body);
    }

    /// <summary>True when <paramref name="pattern"/> matches the channel, and its <c>{user}</c>, if it has one, is <paramref name="userId"/>.</summary>
    public static bool IsMatch(Regex pattern, string channel, string? userId)
    {
        var match = pattern.Match(channel);
        return match.Success && (match.Groups[UserGroup] is not { Success: true } user || user.Value == userId);
    }

    public const string UserGroup = "user";

    // One channel segment: no '.', so that users.{user}.* never reaches into another user's channels.
    private const string UserIdCharacters = "[A-Za-z0-9_:-]{1,64}";

    /// <summary>The part of the pattern before its first <c>*</c>: every channel it matches starts with it.</summary>
    public static string LiteralPrefix(string pattern, string? userId = null)
    {
        var resolved = userId is null ? pattern : pattern.Replace(UserPlaceholder, userId, StringComparison.Ordinal);
        var star = resolved.IndexOf('*');
        return star < 0 ? resolved : resolved[..star];
    }

    [GeneratedRegex($"^{UserIdCharacters}$")]
    private static partial Regex UserIdPattern();
}
