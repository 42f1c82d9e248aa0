using System.Net.Http.Headers;
using Serverless.FunctionsHost.App;
using Serverless.Local.Identity;
using Serverless.Tooling;

namespace Serverless.Cli.Token;

/// <summary>
/// Who a command calls the API as: <c>--as USER</c>, one of the local sign-in's users, with a token of the local
/// development issuer; else the bearer token in <c>SERVERLESS_TOKEN</c> (never on the command line, where other users
/// of the machine can read it); else anonymous.
/// </summary>
internal static class CallerToken
{
    public const string EnvironmentVariable = "SERVERLESS_TOKEN";

    /// <summary>The local development issuer of the app's settings (functions/local.settings.json, else the sample).</summary>
    public static DevelopmentIssuer? LocalIssuer(out string settingsFile)
    {
        var repo = RepoLayout.Find();
        settingsFile = File.Exists(repo.UserSettings) ? repo.UserSettings : repo.SettingsSample;
        return DevelopmentIssuer.FromSettings(LocalSettings.Read(settingsFile).Values);
    }

    /// <summary>Sets the caller's token on the API client; an error message when <paramref name="asUser"/> cannot be had.</summary>
    public static string? Apply(HttpClient api, string? asUser)
    {
        string? token;
        if (asUser is not null)
        {
            if (!LocalUsers.Roles.TryGetValue(asUser, out var roles))
            {
                return $"--as takes one of the local users: {string.Join(", ", LocalUsers.Roles.Keys)} (for any other, set {EnvironmentVariable} to a token from 'token').";
            }

            if (LocalIssuer(out var settingsFile) is not { } issuer)
            {
                return $"{settingsFile} names no development issuer: set {EnvironmentVariable} to a bearer token instead.";
            }

            token = issuer.CreateToken(asUser, roles);
        }
        else
        {
            token = Environment.GetEnvironmentVariable(EnvironmentVariable);
        }

        if (!string.IsNullOrWhiteSpace(token))
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }

        return null;
    }
}
