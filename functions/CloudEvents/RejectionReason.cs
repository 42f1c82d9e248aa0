namespace Serverless.Functions.CloudEvents;

/// <summary>Why an event was not stored. The code is what a dead-letter record carries in <c>Reason</c>.</summary>
public static class RejectionReason
{
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

/// <summary>An event that was not stored, with enough to find and replay it.</summary>
public sealed record Rejection(string Reason, string Detail, string RawBody, EventOrigin Origin, string? Channel = null, string? EventId = null, string? Source = null);
