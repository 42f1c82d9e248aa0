namespace Serverless.Contracts.Api;

/// <summary>
/// <c>/updates?after=N</c> below what the channel's log still holds is answered 410 Gone, as problem details whose
/// <see cref="FirstRetainedProperty"/> names the first sequence number kept (docs/retention.md). A client then loads
/// <c>/latest</c> and goes on from its head.
/// </summary>
public static class HistoryTrimmed
{
    public const int Status = 410;
    public const string FirstRetainedProperty = "firstRetained";
}
