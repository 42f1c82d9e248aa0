namespace Serverless.Functions.Settings;

/// <summary>Validation and filter rules of the Ingest function (<c>Ingest__*</c>).</summary>
public sealed class IngestOptions : ISelfValidatingOptions
{
    // A Table Storage binary property holds at most 64 KiB, and the event's data is stored in one.
    public const int MaxStorableEventBytes = 64 * 1024;

    /// <summary>An event whose JSON is larger than this (UTF-8 bytes) is dead-lettered as too large.</summary>
    public int MaxEventBytes { get; set; } = 32 * 1024;

    /// <summary>How much of a rejected event's raw body the dead-letter record keeps.</summary>
    public int DeadLetterBodyBytes { get; set; } = 8 * 1024;

    /// <summary>Channel patterns that may be ingested (<c>*</c> matches any run of characters).</summary>
    public IReadOnlyList<string> AllowedChannels { get; set; } = ["*"];

    /// <summary>CloudEvents <c>type</c> patterns that may be ingested.</summary>
    public IReadOnlyList<string> AllowedTypes { get; set; } = ["*"];

    public static void Bind(IngestOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection("Ingest");
        options.MaxEventBytes = SettingParser.Int(section, "MaxEventBytes", options.MaxEventBytes);
        options.DeadLetterBodyBytes = SettingParser.Int(section, "DeadLetterBodyBytes", options.DeadLetterBodyBytes);
        options.AllowedChannels = SettingParser.List(section, "AllowedChannels", options.AllowedChannels);
        options.AllowedTypes = SettingParser.List(section, "AllowedTypes", options.AllowedTypes);
    }

    public IEnumerable<string> Validate()
    {
        if (MaxEventBytes < 256 || MaxEventBytes > MaxStorableEventBytes)
        {
            yield return $"Ingest__MaxEventBytes must be between 256 and {MaxStorableEventBytes} (it is {MaxEventBytes}).";
        }

        // The raw body is kept as a string property, which holds at most 32 K UTF-16 characters.
        if (DeadLetterBodyBytes < 0 || DeadLetterBodyBytes > 32 * 1024)
        {
            yield return $"Ingest__DeadLetterBodyBytes must be between 0 and {32 * 1024} (it is {DeadLetterBodyBytes}).";
        }

        if (AllowedChannels.Count == 0)
        {
            yield return "Ingest__AllowedChannels is empty: nothing could be ingested (use * to allow every channel).";
        }

        if (AllowedTypes.Count == 0)
        {
            yield return "Ingest__AllowedTypes is empty: nothing could be ingested (use * to allow every type).";
        }
    }
}
