using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.SignalRService.Auth;
using Serverless.SignalRService.Hubs;
using Serverless.SignalRService.Rest;

namespace Serverless.SignalRService;

/// <summary>
/// The local SignalR Service in serverless mode: clients connect at <c>/client?hub=…</c> with a token from the app's
/// negotiate; the app sends through the data-plane REST API. Built on ASP.NET Core SignalR.
/// </summary>
public static class SignalRServiceApp
{
    public static WebApplication Build(ServiceOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RestApi.MaxBodyBytes * 2L);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);

        var services = builder.Services;
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<RestOperations>();
        services.AddHostedService<MembershipExpiry>();
        services.AddSingleton<IUserIdProvider, ServiceUserIdProvider>();
        services.AddCors();
        services.AddSignalR().AddJsonProtocol().AddMessagePackProtocol();
        MakeProtocolsListenOnly(services);

        var app = builder.Build();
        // Browsers connect from the web page's origin, with credentials (the SignalR JS client's default).
        app.UseCors(cors => cors.SetIsOriginAllowed(_ => true).AllowCredentials().AllowAnyHeader().AllowAnyMethod());
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ClientAuthentication.ClientPath), client => client.UseMiddleware<ClientAuthentication>());
        app.UseWhen(context => RestGuard.Guards(context.Request.Path), rest => rest.UseMiddleware<RestGuard>());
        var registry = app.Services.GetRequiredService<ConnectionRegistry>();
        var transports = new HttpConnectionDispatcherOptions
        {
            Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling,
        };
        // MapHub, plus a connection middleware that lets the registry know a connection from its first byte.
        app.MapConnections(ClientAuthentication.ClientPath, transports,
            connection => connection.Use(next => context => registry.TrackAsync(context, next)).UseHub<ClientHub>());
        app.MapRestApi();
        return app;
    }

    private static void MakeProtocolsListenOnly(IServiceCollection services)
    {
        var protocols = services.Where(d => d.ServiceType == typeof(IHubProtocol)).ToList();
        foreach (var descriptor in protocols)
        {
            services.Remove(descriptor);
            var implementation = descriptor.ImplementationType!;
            services.TryAddSingleton(implementation);
            services.AddSingleton<IHubProtocol>(provider => new ListenOnlyHubProtocol((IHubProtocol)provider.GetRequiredService(implementation)));
        }
    }
}
