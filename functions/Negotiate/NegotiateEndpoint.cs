using Microsoft.Extensions.Options;
using Serverless.Functions.Push;
using Serverless.Functions.Settings;

namespace Serverless.Functions.Negotiate;

/// <summary>
/// <c>POST /api/negotiate</c>: the redirect a SignalR client follows to SignalR Service, <c>{url, accessToken}</c>
/// (AZURE-CONTRACTS §2.3). The user id comes only from a validated identity, never from the request body or query.
/// </summary>
public static class NegotiateEndpoint
{
    // Set by App Service authentication, which removes any such header a client sends.
    public const string PrincipalIdHeader = "X-MS-CLIENT-PRINCIPAL-ID";

    public static IEndpointRouteBuilder MapNegotiate(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/negotiate", Negotiate);
        return app;
    }

    private static IResult Negotiate(HttpRequest request, IOptions<SignalROptions> signalR, IOptions<NegotiateOptions> negotiate, TimeProvider time)
    {
        var options = signalR.Value;
        var connection = options.Connection;
        var userId = negotiate.Value.TrustAppServiceAuthentication && request.Headers.TryGetValue(PrincipalIdHeader, out var principal)
            && !string.IsNullOrWhiteSpace(principal.ToString())
            ? principal.ToString()
            : null;

        var clientUrl = new Uri(connection.ClientEndpoint, SignalRRoutes.Client(options.HubName));
        // The client audience is the client URL without port, as the SDK signs it (AZURE-CONTRACTS §2.2).
        var audience = $"{clientUrl.Scheme}://{clientUrl.Host}{SignalRRoutes.Client(options.HubName)}";
        var token = ServiceJwt.Create(connection.AccessKey, audience, time.GetUtcNow(), options.ClientTokenLifetime, userId);
        return Results.Ok(new NegotiateResponse(clientUrl.ToString(), token));
    }
}

public sealed record NegotiateResponse(string Url, string AccessToken);
