using System.Globalization;

namespace Serverless.Functions.Api;

/// <summary>Whole-number query parameters, read the same way by every HTTP function.</summary>
internal static class QueryValues
{
    /// <summary>The parameter's value, <paramref name="fallback"/> when it is absent; false when it is not a whole number in range.</summary>
    public static bool TryRead(HttpRequest request, string name, long fallback, long min, long max, out long value)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
