namespace Serverless.Pipeline.Storage;

/// <summary>The partitions of the updates table that are not buckets of channels.</summary>
internal static class UpdateTablePartitions
{
    /// <summary>
    /// The partition of the channel index: one row per channel, keyed by its name. '$' is not allowed in a channel name,
    /// and no bucket is named so.
    /// </summary>
    public const string Index = "$channels";

    /// <summary>The partition of the row that says which layout the table holds (<see cref="UpdatesTableLayout"/>).</summary>
    public const string Layout = "$layout";

    // The first row key after every channel name that starts with a prefix: '~' follows every character a name may hold.
    public static string PrefixEnd(string prefix) => prefix + "~";
}
