using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Serverless.Contracts.Api;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Push;

/// <summary>
/// What negotiate answers: the hub's client URL and a client token for the caller's SignalR user, signed with the
/// service's AccessKey as the SDK signs them (docs/signalr-service.md#tokens). A signed-in caller's connections carry
/// its user id; an anonymous caller gets a new anonymous id, 128 random bits that only it holds, which its
/// subscriptions then name (docs/identity.md#connections-belong-to-users).
/// </summary>
public sealed partial class ClientTokens(IOptions<SignalROptions> options, TimeProvider time)
{
    /// <summary>The SDK's default lifetime of a client token; never past the caller's own token.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public const string AnonymousPrefix = "anonymous.";

    private readonly SignalRConnectionString connection = options.Value.Connection;

    // A token the caller's own token outlives by less is not worth a connection; the clock skew the API allows covers it.
    private static readonly TimeSpan ShortestLifetime = TimeSpan.FromSeconds(30);

    /// <summary>True for an id of the form <see cref="Issue"/> makes for an anonymous caller (user ids hold no '.').</summary>
    public static bool IsAnonymousUserId(string? userId) => userId is not null && AnonymousId().IsMatch(userId);

    public NegotiateResponse Issue(Caller caller)
    {
        var userId = caller.UserId ?? AnonymousPrefix + ServiceJwt.Base64Url(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        var lifetime = caller.Expires is { } expires && expires - now < Lifetime
            ? TimeSpan.FromTicks(Math.Max((expires - now).Ticks, ShortestLifetime.Ticks))
            : Lifetime;
        var path = SignalRRoutes.Client(options.Value.HubName);
        var url = new Uri(connection.ClientEndpoint, path).ToString();
        // The SDK signs the client URL without its port as the audience.
        var audience = $"{connection.ClientEndpoint.Scheme}://{connection.ClientEndpoint.Host}{path}";
        return new NegotiateResponse(url, ServiceJwt.Create(connection.AccessKey, audience, now, lifetime, userId), userId);
    }

    // "anonymous." and 16 random bytes in base64url.
    [GeneratedRegex(@"^anonymous\.[A-Za-z0-9_-]{22}$")]
    private static partial Regex AnonymousId();
}
