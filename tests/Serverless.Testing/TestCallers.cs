using System.Net.Http.Headers;
using Serverless.Contracts.Settings;
using Serverless.Local.Identity;

namespace Serverless.Testing;

/// <summary>
/// The callers tests play, with tokens of the local development issuer the sample's settings name (the same key the
/// app under test checks them with): an operator who may follow every channel, the local users, and anonymous.
/// </summary>
public static class TestCallers
{
    public const string Operator = "operator";

    public static DevelopmentIssuer Issuer { get; } =
        new(SettingDefaults.LocalIssuer, SettingDefaults.ApiAudience, Convert.FromBase64String(SettingDefaults.LocalSigningKey));

    /// <summary>A day long, for the fault runs and the bench, which outlast an hour.</summary>
    public static string OperatorToken() => Token(Operator, TimeSpan.FromDays(1));

    /// <summary>Another user with the operator's role: a user's connections share their subscriptions, so tests that
    /// need connections with different subscriptions give each its own user.</summary>
    public static string OperatorToken(string user) => Issuer.CreateToken(user, [LocalUsers.ChannelsReader], TimeSpan.FromDays(1));

    /// <summary>A token for one of <see cref="LocalUsers"/> with its roles, or for any user with none.</summary>
    public static string Token(string user, TimeSpan? lifetime = null) =>
        Issuer.CreateToken(user, LocalUsers.Roles.GetValueOrDefault(user) ?? [], lifetime);

    /// <summary>Sets the caller's bearer token on a client of the API (null: anonymous), and returns it.</summary>
    public static HttpClient As(this HttpClient api, string? token)
    {
        api.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    /// <summary>A new client of the same API as <paramref name="user"/> (null: anonymous).</summary>
    public static HttpClient ClientAs(Uri baseAddress, string? user) =>
        new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) }.As(user is null ? null : Token(user));
}
