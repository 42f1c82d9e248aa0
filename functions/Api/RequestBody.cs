namespace Serverless.Functions.Api;

/// <summary>A request body read into memory up to a limit.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/>; reads at most one byte past the limit.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAtMostAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > maxBytes)
        {
            return null;
        }

        return buffer.AsMemory(0, length);
    }
}
