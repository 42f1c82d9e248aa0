using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Options;
using Serverless.Functions.Api;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Settings;

namespace Serverless.Functions.Access;

/// <summary>
/// Finds out who calls each HTTP function, before it runs: no <c>Authorization: Bearer</c> header is an anonymous
/// caller; a bearer token is checked (signature, issuer, audience, lifetime, algorithm) and names the caller, or the
/// request is answered 401 with problem details, whatever the route. Platform headers such as
/// <c>x-ms-client-principal</c> are never read: a caller who sends one is as anonymous as one who does not
/// (docs/identity.md).
/// </summary>
internal sealed partial class CallerAuthentication(IOptions<AuthOptions> authOptions, RequestLimiter limiter, ILogger<CallerAuthentication> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (result.None)
        {
            context.SetCaller(Caller.Anonymous);
            await next(context);
            return;
        }

        var options = authOptions.Value;
        var caller = result.Succeeded ? CallerClaims.Read(result.Principal, options.UserIdClaim) : null;
        if (caller is null)
        {
            // A refused token counts against its sender's address, so that a flood of forged tokens meets the limit too.
            if (limiter.TryAcquire(RequestLimiter.ClientOf(Caller.Anonymous, http)) is { } retryAfter)
            {
                await RequestLimits.RefuseAsync(http, retryAfter);
                return;
            }

            var reason = result.Succeeded ? $"the token names no user (claim {options.UserIdClaim})" : Describe(result.Failure);
            LogRefused(logger, context.FunctionDefinition.Name, reason);
            http.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{reason}\"";
            await ApiProblems.Unauthorized($"The bearer token was refused: {reason}.").ExecuteAsync(http);
            return;
        }

        context.SetCaller(caller);
        await next(context);
    }

    /// <summary>Why a token was refused, in words that name no key, no claim value and no library internals.</summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet",
        SecurityTokenNoExpirationException => "it has no expiry",
        SecurityTokenInvalidAudienceException => "it is for another audience",
        SecurityTokenInvalidIssuerException => "it is from another issuer",
        SecurityTokenInvalidAlgorithmException => "its algorithm is not accepted",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature does not verify",
        SecurityTokenMalformedException or ArgumentException => "it is not a JSON Web Token",
        _ => "it is not valid",
    };

    [LoggerMessage(EventId = 80, EventName = "TokenRefused", Level = LogLevel.Information, Message = "{Function}: a bearer token was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string function, string reason);
}
