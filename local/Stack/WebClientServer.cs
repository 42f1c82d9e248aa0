using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Serverless.Infra.Model;
using Serverless.Local.Identity;
using Serverless.Tooling;

namespace Serverless.Local.Stack;

/// <summary>
/// Serves the web client as Azure Storage's static website does in a deployed stack, with the same files
/// (<see cref="WebSiteFiles"/>): the page from <c>web/</c>, the SignalR browser client from npm at <c>lib/</c>, and
/// <c>config.json</c> naming the function app's API. With a development issuer it is also the local sign-in: the
/// page's picker asks <c>POST /local/token</c> for a token of one of <see cref="LocalUsers"/>, where Azure's page
/// signs in with Microsoft Entra ID.
/// </summary>
public static class WebClientServer
{
    public const string TokenPath = "/local/token";

    public static WebApplication Build(RepoLayout repo, int port, string apiBase, Action<WebApplicationBuilder> configure, DevelopmentIssuer? issuer = null)
    {
        var libraries = WebSiteFiles.Libraries(repo);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://localhost:{port}");
        configure(builder);
        var app = builder.Build();
        var signIn = issuer is null ? null : new PageSignIn(PageSignIn.Local, TokenPath, [.. LocalUsers.Roles.Keys]);
        var config = WebSiteFiles.ConfigJson(apiBase, signIn);
        app.MapGet("/" + WebSiteFiles.ConfigFile, () => Results.Text(config, "application/json"));
        if (issuer is not null)
        {
            app.MapPost(TokenPath, (LocalSignInRequest request) =>
                request.User is { } user && LocalUsers.Roles.TryGetValue(user, out var roles)
                    ? Results.Ok(new LocalSignInResponse(user, roles, issuer.CreateToken(user, roles)))
                    : Results.Problem(title: "Unknown user", detail: $"The local sign-in knows {string.Join(", ", LocalUsers.Roles.Keys)}.", statusCode: StatusCodes.Status400BadRequest));
        }

        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(repo.Web) });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(repo.Web) });
        foreach (var library in libraries)
        {
            app.MapGet("/" + library.SitePath, () => Results.File(library.SourcePath, library.ContentType));
        }

        return app;
    }

    private sealed record LocalSignInRequest(string? User);

    private sealed record LocalSignInResponse(string User, string[] Roles, string Token);
}
