using System.Globalization;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// Row keys of a channel's partition, in the order Table Storage keeps them. Log rows sort first (zero-padded sequence
/// numbers are all digits), then the head and the key rows side by side, so that reading the head with some key rows
/// scans only the key rows, however long the log.
/// </summary>
public static class UpdateRowKeys
{
    public const string Head = "head";
    public const string KeyPrefix = "key:";

    // The first row key after every "key:…" row: ';' follows ':' in ordinal order.
    public const string KeysEnd = "key;";

    public static string Log(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    public static string Key(string key) => KeyPrefix + key;

    /// <summary>
    /// The partition of the channel index: one row per channel, keyed by its name. '$' is not allowed in a channel
    /// name, so the index can never be a channel's partition.
    /// </summary>
    public const string IndexPartition = "$channels";

    // The first row key after every channel name that starts with a prefix: '~' follows every character a name may hold.
    public static string PrefixEnd(string prefix) => prefix + "~";
}
