using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serverless.Contracts.Settings;
using Serverless.Local.Identity;
using Serverless.Testing;

namespace Serverless.Tests.Functions.Access;

/// <summary>
/// Every route of the function app, through the host stand-in and the real worker, refuses a bearer token that is not
/// the issuer's, not for this API, out of its lifetime or unsigned: 401, <c>WWW-Authenticate: Bearer</c> and problem
/// details that name no key or library internals (docs/identity.md).
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class TokenTests(PipelineFixture fixture)
{
    public static TheoryData<string, string, string> Routes() => new()
    {
        { "POST", "/api/negotiate", "" },
        { "POST", "/api/subscriptions", """{"channels":["prices.t"]}""" },
        { "GET", "/api/channels/prices.t/updates", "" },
        { "GET", "/api/channels/prices.t/latest", "" },
        { "GET", "/api/channels", "" },
        { "GET", "/api/health", "" },
        { "GET", "/api/no-such-route", "" },
    };

    public static TheoryData<string> BadTokens() => ["forged", "expired", "wrong-audience", "wrong-issuer", "alg-none", "not-a-jwt", "no-user"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_with_401_on_every_route(string kind)
    {
        foreach (var route in Routes())
        {
            var (method, path, body) = ((string)route[0], (string)route[1], (string)route[2]);
            using var response = await SendAsync(method, path, body, BadToken(kind));
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{kind} token, {method} {path}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
            Assert.DoesNotContain("IDX", text);
            Assert.DoesNotContain(SettingDefaults.LocalSigningKey, text);
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_issuers_token_is_taken_on_every_route(string method, string path, string body)
    {
        using var response = await SendAsync(method, path, body, TestCallers.Token("alice"));

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True((int)response.StatusCode < 500, $"{method} {path}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Platform_headers_from_a_caller_make_it_no_more_than_anonymous()
    {
        var mine = TestEvents.NewChannel("users.alice");
        var orders = TestEvents.NewChannel("orders");
        await fixture.IngestAsync(TestEvents.Batch([TestEvents.Update(mine, "a1"), TestEvents.Update(orders, "o1")]));
        var principal = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            """{"auth_typ":"aad","claims":[{"typ":"roles","val":"channels.reader"},{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"alice"}],"name_typ":"name","role_typ":"roles"}"""));

        foreach (var channel in new[] { mine, orders })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/channels/{channel}/updates");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL", principal);
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL-ID", "alice");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL-NAME", "alice@example.com");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL-IDP", "aad");
            using var anonymous = TestCallers.ClientAs(fixture.App.BaseAddress, user: null);
            using var response = await anonymous.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body, string? token)
    {
        using var client = TestCallers.ClientAs(fixture.App.BaseAddress, user: null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private static string BadToken(string kind)
    {
        var key = Convert.FromBase64String(SettingDefaults.LocalSigningKey);
        return kind switch
        {
            "forged" => new DevelopmentIssuer(SettingDefaults.LocalIssuer, SettingDefaults.ApiAudience, Encoding.UTF8.GetBytes("a key of our own, 32 bytes or more!!")).CreateToken("alice", [LocalUsers.ChannelsReader]),
            "expired" => TestCallers.Issuer.CreateToken("alice", [], TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddMinutes(-10)),
            "wrong-audience" => new DevelopmentIssuer(SettingDefaults.LocalIssuer, "another-api", key).CreateToken("alice", []),
            "wrong-issuer" => new DevelopmentIssuer("another-issuer", SettingDefaults.ApiAudience, key).CreateToken("alice", []),
            "alg-none" => Unsigned(new Dictionary<string, object>
            {
                ["iss"] = SettingDefaults.LocalIssuer,
                ["aud"] = SettingDefaults.ApiAudience,
                ["sub"] = "alice",
                ["roles"] = new[] { LocalUsers.ChannelsReader },
                ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            }),
            "not-a-jwt" => "this-is-no-token",
            "no-user" => new DevelopmentIssuer(SettingDefaults.LocalIssuer, SettingDefaults.ApiAudience, key, userIdClaim: "not-sub").CreateToken("alice", []),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static string Unsigned(Dictionary<string, object> claims) =>
        $"{Jwt.Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", typ = "JWT" }))}.{Jwt.Encode(JsonSerializer.SerializeToUtf8Bytes(claims))}.";
}
