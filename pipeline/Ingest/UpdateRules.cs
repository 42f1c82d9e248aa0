using System.Text.RegularExpressions;
using Serverless.Contracts.CloudEvents;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Ingest;

/// <summary>The configurable rules: which channels and which event types may be ingested.</summary>
public sealed class UpdateRules(IngestOptions options)
{
    private readonly Regex[] allowedChannels = options.AllowedChannels.Select(Glob.ToRegex).ToArray();
    private readonly Regex[] allowedTypes = options.AllowedTypes.Select(Glob.ToRegex).ToArray();

    /// <summary>The reason the update breaks a rule, or null when it may be stored.</summary>
    public (string Reason, string Detail)? Check(Update update)
    {
        if (!allowedChannels.Any(pattern => pattern.IsMatch(update.Channel)))
        {
            return (RejectionReason.ChannelNotAllowed, $"channel '{update.Channel}' matches none of {SettingNames.AllowedChannels}");
        }

        if (!allowedTypes.Any(pattern => pattern.IsMatch(update.Type)))
        {
            return (RejectionReason.TypeNotAllowed, $"type '{CloudEventParser.Bounded(update.Type, 200)}' matches none of {SettingNames.AllowedTypes}");
        }

        return null;
    }
}
