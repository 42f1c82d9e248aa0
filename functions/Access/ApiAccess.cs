using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Settings;

namespace Serverless.Functions.Access;

/// <summary>Who calls, what they may follow, and how much they may ask: the settings, checked at start, and their services.</summary>
internal static class ApiAccess
{
    public static IServiceCollection AddApiAccess(this IServiceCollection services)
    {
        services.AddValidatedOptions<AuthOptions>(AuthOptions.Bind);
        services.AddValidatedOptions<AccessOptions>(AccessOptions.Bind);
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Bind);
        services.AddAuthentication().AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, BearerTokens>();
        services.AddSingleton<ChannelAccess>();
        services.AddSingleton<RequestLimiter>();
        services.AddSingleton<ClientTokens>();
        return services;
    }
}
