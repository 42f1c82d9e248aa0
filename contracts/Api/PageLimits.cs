namespace Serverless.Contracts.Api;

/// <summary>What one answer of the API may hold, whatever its <c>limit</c> asks for.</summary>
public static class PageLimits
{
    /// <summary>
    /// A page of updates or latest values holds at most this many bytes of data together (always at least one item), so
    /// that one request cannot ask for a gigabyte: 1,000 updates of 64 KB. A short page is not the end: its head or
    /// its <c>next</c> says what follows.
    /// </summary>
    public const int MaxDataBytes = 1024 * 1024;
}
