using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// A timer's schedule status, as the Timer extension records it: the last run, the next one due, and when the status
/// was last computed, as local times (<see cref="DateTime"/> default for "never").
/// </summary>
internal sealed record ScheduleStatus(DateTime Last, DateTime Next, DateTime LastUpdated)
{
    public static readonly DateTime Never = default(DateTime).ToLocalTime();

    /// <summary>The JSON the worker's <c>TimerInfo.ScheduleStatus</c> and the status blob hold: PascalCase, ISO 8601.</summary>
    public JsonNode ToJson() => JsonSerializer.SerializeToNode(new Wire(Iso(Last), Iso(Next), Iso(LastUpdated)))!;

    private static string Iso(DateTime local) => local.ToString("o", CultureInfo.InvariantCulture);

    internal sealed record Wire(
        [property: JsonPropertyName("Last")] string Last,
        [property: JsonPropertyName("Next")] string Next,
        [property: JsonPropertyName("LastUpdated")] string LastUpdated);
}

/// <summary>
/// The status blobs of the host's timers (<see cref="HostBlobs.Status"/>): read when a listener starts, written after
/// each run. A write that fails is logged and the timer goes on, as the Timer extension's storage monitor does.
/// </summary>
internal sealed class ScheduleStatusStore(BlobContainerClient container)
{
    public async Task<ScheduleStatus?> ReadAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            var wire = content.Value.Content.ToObjectFromJson<ScheduleStatus.Wire>();
            return wire is null ? null : new ScheduleStatus(Local(wire.Last), Local(wire.Next), Local(wire.LastUpdated));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task WriteAsync(string blobName, ScheduleStatus status, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(status.ToJson().ToJsonString()), overwrite: true, cancellationToken);
    }

    private static DateTime Local(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) is var time && time.Kind == DateTimeKind.Utc ? time.ToLocalTime() : time;
}
