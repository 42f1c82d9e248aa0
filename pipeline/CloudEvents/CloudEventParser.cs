using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Pipeline.CloudEvents;

/// <summary>
/// Turns one Event Hubs body into updates: a CloudEvents 1.0 event in structured JSON mode, or a JSON array of them
/// (batched mode). Every event that is not a valid update becomes a rejection with the reason.
/// </summary>
public sealed class CloudEventParser(int maxEventBytes, int deadLetterBodyBytes)
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Parses one body as Event Hubs carries it, as bytes. JSON is UTF-8 (RFC 8259 §8.1), so a body that is not is
    /// refused whole with the offset of its first bad byte; a leading byte order mark is skipped, as §8.1 allows.
    /// </summary>
    public void Parse(ReadOnlySpan<byte> body, EventOrigin origin, List<Update> updates, List<Rejection> rejections)
    {
        if (body.StartsWith(ByteOrderMark))
        {
            body = body[ByteOrderMark.Length..];
        }

        if (Utf8.IsValid(body))
        {
            Parse(Encoding.UTF8.GetString(body), origin, updates, rejections);
            return;
        }

        // Only a bad body pays for finding where it goes wrong.
        Utf8.ToUtf16(body, new char[body.Length], out var read, out _, replaceInvalidSequences: false);
        rejections.Add(Reject(
            RejectionReason.NotUtf8,
            $"the body is not UTF-8: the bytes at offset {read} ({Convert.ToHexString(body.Slice(read, Math.Min(4, body.Length - read)))}) are no UTF-8 character",
            Encoding.UTF8.GetString(body),
            origin));
    }

    private void Parse(string body, EventOrigin origin, List<Update> updates, List<Rejection> rejections)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            rejections.Add(Reject(RejectionReason.MalformedJson, $"the body is not JSON: {ex.Message}", body, origin));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                ParseEvent(root, body, origin, updates, rejections);
                return;
            }

            if (root.GetArrayLength() == 0)
            {
                rejections.Add(Reject(RejectionReason.NotAnEvent, "the body is an empty array", body, origin));
                return;
            }

            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                ParseEvent(element, element.GetRawText(), origin with { IndexInBody = index++ }, updates, rejections);
            }
        }
    }

    private void ParseEvent(JsonElement element, string raw, EventOrigin origin, List<Update> updates, List<Rejection> rejections)
    {
        var result = Validate(element, raw, origin);
        if (result.Update is { } update)
        {
            updates.Add(update);
        }
        else
        {
            rejections.Add(result.Rejection!);
        }
    }

    private (Update? Update, Rejection? Rejection) Validate(JsonElement e, string raw, EventOrigin origin)
    {
        (Update?, Rejection?) Fail(string reason, string detail) =>
            (null, Reject(reason, detail, raw, origin, e));

        var size = Encoding.UTF8.GetByteCount(raw);
        if (size > maxEventBytes)
        {
            return Fail(RejectionReason.TooLarge, $"the event is {size} bytes (at most {maxEventBytes})");
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            return Fail(RejectionReason.NotAnEvent, $"a CloudEvent is a JSON object, not {e.ValueKind.ToString().ToLowerInvariant()}");
        }

        foreach (var required in new[] { UpdateAttributes.SpecVersion, UpdateAttributes.Id, UpdateAttributes.Source, UpdateAttributes.Type, UpdateAttributes.Channel })
        {
            if (!e.TryGetProperty(required, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return Fail(RejectionReason.MissingAttribute, $"the attribute '{required}' is missing");
            }

            if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
            {
                return Fail(RejectionReason.InvalidAttribute, $"the attribute '{required}' must be a non-empty string");
            }
        }

        if (e.GetProperty(UpdateAttributes.SpecVersion).GetString() != "1.0")
        {
            return Fail(RejectionReason.UnsupportedSpecVersion, "specversion must be 1.0");
        }

        var channel = e.GetProperty(UpdateAttributes.Channel).GetString()!;
        if (!ChannelName.IsValid(channel))
        {
            return Fail(RejectionReason.InvalidChannel, $"subject '{Bounded(channel, 200)}': {ChannelName.Describe(channel)}");
        }

        DateTimeOffset? time = null;
        if (e.TryGetProperty(UpdateAttributes.Time, out var timeValue) && timeValue.ValueKind != JsonValueKind.Null)
        {
            if (timeValue.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(timeValue.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
            {
                return Fail(RejectionReason.InvalidAttribute, "the attribute 'time' must be an RFC 3339 timestamp");
            }

            time = parsed;
        }

        if (e.TryGetProperty(UpdateAttributes.DataContentType, out var contentType) && !IsJsonContentType(contentType))
        {
            return Fail(RejectionReason.DataNotJson, $"datacontenttype {contentType.GetRawText()} is not JSON");
        }

        if (e.TryGetProperty(UpdateAttributes.DataBase64, out _))
        {
            return Fail(RejectionReason.DataNotJson, "data_base64 carries binary data; updates carry JSON in 'data'");
        }

        if (!e.TryGetProperty(UpdateAttributes.Data, out var data))
        {
            return Fail(RejectionReason.MissingAttribute, "the attribute 'data' is missing");
        }

        string? key = null;
        if (e.TryGetProperty(UpdateAttributes.EntityKey, out var keyValue) && keyValue.ValueKind != JsonValueKind.Null)
        {
            if (keyValue.ValueKind != JsonValueKind.String)
            {
                return Fail(RejectionReason.InvalidAttribute, $"the attribute '{UpdateAttributes.EntityKey}' must be a string");
            }

            key = keyValue.GetString()!;
            if (EntityKey.Problem(key) is { } problem)
            {
                return Fail(RejectionReason.InvalidAttribute, $"'{UpdateAttributes.EntityKey}': {problem}");
            }
        }

        long? version = null;
        if (e.TryGetProperty(UpdateAttributes.EntityVersion, out var versionValue) && versionValue.ValueKind != JsonValueKind.Null)
        {
            if (ParseVersion(versionValue) is not { } parsedVersion)
            {
                return Fail(RejectionReason.InvalidAttribute, $"the attribute '{UpdateAttributes.EntityVersion}' must be a non-negative integer");
            }

            version = parsedVersion;
        }

        return (new Update
        {
            Channel = channel,
            Id = e.GetProperty(UpdateAttributes.Id).GetString()!,
            Source = e.GetProperty(UpdateAttributes.Source).GetString()!,
            Type = e.GetProperty(UpdateAttributes.Type).GetString()!,
            Time = time,
            Key = key,
            Version = version,
            Data = data.Clone(),
            Origin = origin,
            RawBody = Bounded(raw, deadLetterBodyBytes),
            Digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)).AsSpan(0, 16)),
            Size = size,
        }, null);
    }

    // CloudEvents allows integer extension values, and string-typed ones in transports without integers.
    private static long? ParseVersion(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) && number >= 0 => number,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };

    private static bool IsJsonContentType(JsonElement contentType) =>
        contentType.ValueKind == JsonValueKind.String && JsonMediaType.Matches(contentType.GetString());

    public Rejection Reject(string reason, string detail, string raw, EventOrigin origin, JsonElement? element = null) =>
        new(reason, detail, Bounded(raw, deadLetterBodyBytes), origin,
            Channel: StringAttribute(element, UpdateAttributes.Channel),
            EventId: StringAttribute(element, UpdateAttributes.Id),
            Source: StringAttribute(element, UpdateAttributes.Source));

    private static string? StringAttribute(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? Bounded(value.GetString()!, 512)
            : null;

    /// <summary>Cuts text to at most <paramref name="maxBytes"/> UTF-8 bytes, on a character boundary.</summary>
    public static string Bounded(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var length = Math.Min(text.Length, maxBytes);
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > maxBytes)
        {
            length = length * 9 / 10;
        }

        if (length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        return text[..length];
    }
}
