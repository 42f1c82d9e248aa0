using System.Text.RegularExpressions;

namespace Serverless.Contracts.CloudEvents;

/// <summary>
/// A channel is at once an Event Hubs partition key, a Table Storage partition key and a SignalR group, so its name
/// keeps to characters that are legal in all three (docs/architecture.md).
/// </summary>
public static partial class ChannelName
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    /// <summary>What is wrong with a name that is not valid.</summary>
    public static string Describe(string? name) => name switch
    {
        null or "" => "the channel name is empty",
        { Length: > MaxLength } => $"the channel name is {name.Length} characters long (at most {MaxLength})",
        _ => "the channel name may hold only letters, digits and . - _ :",
    };

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex Pattern();
}
