namespace Serverless.Pipeline.Access;

/// <summary>
/// Who calls the API, from a bearer token the app has checked: a user id and roles, or nobody (anonymous). Nothing
/// else a request carries, no header and no body field, makes a caller. <see cref="Expires"/> is when its token ends.
/// </summary>
public sealed record Caller(string? UserId, IReadOnlySet<string> Roles, DateTimeOffset? Expires = null)
{
    public static Caller Anonymous { get; } = new(null, new HashSet<string>());

    public bool IsSignedIn => UserId is not null;

    /// <summary>How the caller is named in logs: a user id is an opaque id, never a name or an address.</summary>
    public override string ToString() => UserId ?? "anonymous";
}
