using System.Globalization;
using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Serverless.Pipeline.Access;

namespace Serverless.Functions.Access;

/// <summary>The caller a checked token names, and where a function finds it.</summary>
internal static class CallerClaims
{
    /// <summary>The roles claim of Microsoft Entra ID's tokens and of the local issuer's (docs/identity.md#roles).</summary>
    public const string RolesClaim = "roles";

    private const string CallerItem = "Serverless.Caller";

    /// <summary>The caller, with when its token ends; null when the token names no user.</summary>
    public static Caller? Read(ClaimsPrincipal? principal, string userIdClaim) =>
        principal?.FindFirst(userIdClaim)?.Value is { Length: > 0 } userId
            ? new Caller(userId, principal.FindAll(RolesClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal), Expires(principal))
            : null;

    private static DateTimeOffset? Expires(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp)
            : null;

    public static void SetCaller(this FunctionContext context, Caller caller) => context.Items[CallerItem] = caller;

    /// <summary>Who calls: set for every HTTP invocation by <see cref="CallerAuthentication"/>; anonymous otherwise.</summary>
    public static Caller GetCaller(this FunctionContext context) =>
        context.Items.TryGetValue(CallerItem, out var caller) && caller is Caller known ? known : Caller.Anonymous;
}
