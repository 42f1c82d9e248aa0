using System.Text.RegularExpressions;

namespace Serverless.Pipeline.Settings;

/// <summary>The patterns of the settings (channels, types): literal text in which <c>*</c> matches any run of characters.</summary>
internal static class Glob
{
    public static Regex ToRegex(string pattern) => Anchored(Body(pattern));

    /// <summary>The pattern as regular-expression text, unanchored, for a caller that adds to it.</summary>
    public static string Body(string pattern) => Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal);

    public static Regex Anchored(string body) => new($"^{body}$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
}
