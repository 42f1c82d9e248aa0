namespace Serverless.Local.Identity;

/// <summary>
/// The people of the local stack's sign-in picker (docs/identity.md#the-development-issuer): two customers with
/// private channels, one of whom may read every order, and an operator who may read every channel.
/// </summary>
public static class LocalUsers
{
    /// <summary>The role that may follow every channel in the sample's rules: operators, <c>tail</c>, the fault matrix, the bench.</summary>
    public const string ChannelsReader = "channels.reader";
    public const string OrdersReader = "orders.reader";

    public static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["alice"] = [OrdersReader],
        ["bob"] = [],
        ["operator"] = [ChannelsReader],
    };
}
