using System.Text.Json;
using Serverless.Contracts.Api;

namespace Serverless.Functions.Api;

/// <summary>Cuts a page of stored items to <see cref="PageLimits.MaxDataBytes"/> of data, keeping at least one item.</summary>
internal static class PageBudget
{
    public static IReadOnlyList<T> Within<T>(IReadOnlyList<T> items, Func<T, JsonElement> data)
    {
        long bytes = 0;
        for (var i = 0; i < items.Count; i++)
        {
            bytes += data(items[i]).GetRawText().Length;
            if (i > 0 && bytes > PageLimits.MaxDataBytes)
            {
                return [.. items.Take(i)];
            }
        }

        return items;
    }
}
