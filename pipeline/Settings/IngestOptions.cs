using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>Validation and filter rules of the Ingest function (<c>Ingest__*</c>).</summary>
public sealed class IngestOptions : ISelfValidatingOptions
{
    // A Table Storage binary property holds at most 64 KiB, and the event's data is stored in one.
    public const int MaxStorableEventBytes = 64 * 1024;

    // The head row keeps 16 bytes per recent event in one binary property, which holds at most 64 KiB (Storage/RecentEvents.cs).
    public const int MaxDedupWindow = 4096;

    /// <summary>An event whose JSON is larger than this (UTF-8 bytes) is dead-lettered as too large.</summary>
    public int MaxEventBytes { get; set; } = SettingDefaults.MaxEventBytes;

    /// <summary>How much of a rejected event's raw body the dead-letter record keeps.</summary>
    public int DeadLetterBodyBytes { get; set; } = SettingDefaults.DeadLetterBodyBytes;

    /// <summary>
    /// How many of a channel's last stored events a resent event (same source and id) is recognised among; kept in the
    /// channel's head row, 16 bytes each. Redeliveries from Event Hubs are recognised at any distance by their place.
    /// </summary>
    public int DedupWindow { get; set; } = SettingDefaults.DedupWindow;

    /// <summary>Channel patterns that may be ingested (<c>*</c> matches any run of characters).</summary>
    public IReadOnlyList<string> AllowedChannels { get; set; } = [SettingDefaults.AllowEverything];

    /// <summary>CloudEvents <c>type</c> patterns that may be ingested.</summary>
    public IReadOnlyList<string> AllowedTypes { get; set; } = [SettingDefaults.AllowEverything];

    public static void Bind(IngestOptions options, IConfiguration configuration)
    {
        options.MaxEventBytes = SettingParser.Int(configuration, SettingNames.MaxEventBytes, options.MaxEventBytes);
        options.DeadLetterBodyBytes = SettingParser.Int(configuration, SettingNames.DeadLetterBodyBytes, options.DeadLetterBodyBytes);
        options.DedupWindow = SettingParser.Int(configuration, SettingNames.DedupWindow, options.DedupWindow);
        options.AllowedChannels = SettingParser.List(configuration, SettingNames.AllowedChannels, options.AllowedChannels);
        options.AllowedTypes = SettingParser.List(configuration, SettingNames.AllowedTypes, options.AllowedTypes);
    }

    public IEnumerable<string> Validate()
    {
        if (MaxEventBytes < 256 || MaxEventBytes > MaxStorableEventBytes)
        {
            yield return $"{SettingNames.MaxEventBytes} must be between 256 and {MaxStorableEventBytes} (it is {MaxEventBytes}).";
        }

        // The raw body is kept as a string property, which holds at most 32 K UTF-16 characters.
        if (DeadLetterBodyBytes < 0 || DeadLetterBodyBytes > 32 * 1024)
        {
            yield return $"{SettingNames.DeadLetterBodyBytes} must be between 0 and {32 * 1024} (it is {DeadLetterBodyBytes}).";
        }

        if (DedupWindow < 1 || DedupWindow > MaxDedupWindow)
        {
            yield return $"{SettingNames.DedupWindow} must be between 1 and {MaxDedupWindow} (it is {DedupWindow}).";
        }

        if (AllowedChannels.Count == 0)
        {
            yield return $"{SettingNames.AllowedChannels} is empty: nothing could be ingested (use * to allow every channel).";
        }

        if (AllowedTypes.Count == 0)
        {
            yield return $"{SettingNames.AllowedTypes} is empty: nothing could be ingested (use * to allow every type).";
        }
    }
}
