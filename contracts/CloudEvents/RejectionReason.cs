namespace Serverless.Contracts.CloudEvents;

/// <summary>Why an event was not stored: the code a dead-letter record carries in <c>Reason</c>.</summary>
public static class RejectionReason
{
    public const string NotUtf8 = "not-utf8";
    public const string MalformedJson = "malformed-json";
    public const string NotAnEvent = "not-an-event";
    public const string MissingAttribute = "missing-attribute";
    public const string InvalidAttribute = "invalid-attribute";
    public const string UnsupportedSpecVersion = "unsupported-specversion";
    public const string InvalidChannel = "invalid-channel";
    public const string TooLarge = "too-large";
    public const string DataNotJson = "data-not-json";
    public const string ChannelNotAllowed = "channel-not-allowed";
    public const string TypeNotAllowed = "type-not-allowed";
    public const string Duplicate = "duplicate";
    public const string StaleVersion = "stale-version";
}
