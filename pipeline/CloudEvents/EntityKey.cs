namespace Serverless.Pipeline.CloudEvents;

/// <summary>The entity key of an update becomes a Table Storage row key, so it must be legal there.</summary>
public static class EntityKey
{
    public const int MaxLength = 256;

    // Row keys may not hold / \ # ? or control characters (Table service data model).
    public static string? Problem(string key)
    {
        if (key.Length is 0 or > MaxLength)
        {
            return $"the entity key must be 1 to {MaxLength} characters long";
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                return "the entity key may not hold / \\ # ? or control characters";
            }
        }

        return null;
    }
}
