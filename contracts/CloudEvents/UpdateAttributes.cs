namespace Serverless.Contracts.CloudEvents;

/// <summary>
/// The CloudEvents attributes an update is read from (docs/cloudevents.md): the required context attributes, the
/// channel in <c>subject</c>, and the two extension attributes we define.
/// </summary>
public static class UpdateAttributes
{
    public const string SpecVersion = "specversion";
    public const string Id = "id";
    public const string Source = "source";
    public const string Type = "type";
    public const string Time = "time";
    public const string DataContentType = "datacontenttype";
    public const string Data = "data";
    public const string DataBase64 = "data_base64";

    /// <summary>The channel: also the Event Hubs partition key, the Table Storage partition and the SignalR group.</summary>
    public const string Channel = "subject";

    /// <summary>Extension: the entity the update is about; the latest value is kept per key.</summary>
    public const string EntityKey = "entitykey";

    /// <summary>Extension: the entity's version, a whole number; an update whose version is not newer is stale.</summary>
    public const string EntityVersion = "entityversion";
}
