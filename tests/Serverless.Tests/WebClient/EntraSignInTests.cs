using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>
/// The deployed page's sign-in logic (web/entra.js) under Node, against a stand-in for MSAL.js that records what it is
/// asked (tests/js/entra-signin.mjs): pure logic, as Microsoft Entra ID itself can't be reached from the tests.
/// </summary>
public sealed class EntraSignInTests
{
    private const string Scope = "api://66666666-7777-8888-9999-000000000000/access_as_user";

    private static readonly JsonObject SignIn = new()
    {
        ["kind"] = "entra",
        ["clientId"] = "66666666-7777-8888-9999-000000000000",
        ["authority"] = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555",
        ["scope"] = Scope,
    };

    private static async Task<JsonElement> RunAsync(params JsonObject[] cases) =>
        await NodeScript.RunAsync("entra-signin.mjs", new JsonObject
        {
            ["signIn"] = SignIn.DeepClone(),
            ["redirectUri"] = "https://page.example/",
            ["cases"] = new JsonArray(cases),
        });

    private static JsonObject Account(string username) => new() { ["username"] = username };

    private static string[] Call(JsonElement call) => [.. call.EnumerateArray().Select(part => part.ValueKind switch
    {
        JsonValueKind.Array => string.Join(' ', part.EnumerateArray().Select(p => p.GetString())),
        JsonValueKind.String => part.GetString()!,
        _ => part.GetRawText(),
    })];

    [Fact]
    public async Task MSAL_is_configured_for_the_apps_client_and_tenant_coming_back_to_the_page()
    {
        var configuration = (await RunAsync()).GetProperty("configuration");

        Assert.Equal(SignIn["clientId"]!.GetValue<string>(), configuration.GetProperty("auth").GetProperty("clientId").GetString());
        Assert.Equal(SignIn["authority"]!.GetValue<string>(), configuration.GetProperty("auth").GetProperty("authority").GetString());
        Assert.Equal("https://page.example/", configuration.GetProperty("auth").GetProperty("redirectUri").GetString());
        Assert.Equal("sessionStorage", configuration.GetProperty("cache").GetProperty("cacheLocation").GetString());
    }

    [Fact]
    public async Task Without_an_account_the_page_is_anonymous_and_asks_for_no_token()
    {
        var result = (await RunAsync(new JsonObject { ["silent"] = "unused" })).GetProperty("cases")[0];

        Assert.Equal(JsonValueKind.Null, result.GetProperty("user").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("token").ValueKind);
        Assert.DoesNotContain(result.GetProperty("calls").EnumerateArray(), call => call[0].GetString()!.StartsWith("acquireToken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_signed_in_account_gets_tokens_for_the_APIs_scope_silently()
    {
        var cases = (await RunAsync(
            new JsonObject { ["redirectAccount"] = Account("alice@contoso.example"), ["silent"] = "token-1" },
            new JsonObject { ["cachedAccount"] = Account("bob@contoso.example"), ["silent"] = "token-2" })).GetProperty("cases");

        Assert.Equal("alice@contoso.example", cases[0].GetProperty("user").GetString());
        Assert.Equal("token-1", cases[0].GetProperty("token").GetString());
        Assert.Contains(cases[0].GetProperty("calls").EnumerateArray(), call => Call(call).SequenceEqual(["acquireTokenSilent", Scope, "alice@contoso.example"]));
        Assert.Contains(cases[0].GetProperty("calls").EnumerateArray(), call => Call(call).SequenceEqual(["setActiveAccount", "alice@contoso.example"]));
        Assert.Equal("token-2", cases[1].GetProperty("token").GetString());
    }

    [Fact]
    public async Task When_Entra_ID_needs_the_user_the_page_redirects_for_the_token()
    {
        var result = (await RunAsync(new JsonObject { ["cachedAccount"] = Account("alice@contoso.example"), ["silent"] = "interaction" })).GetProperty("cases")[0];

        Assert.Equal(JsonValueKind.Null, result.GetProperty("token").ValueKind);
        Assert.Contains(result.GetProperty("calls").EnumerateArray(), call => Call(call).SequenceEqual(["acquireTokenRedirect", Scope]));
    }

    [Fact]
    public async Task Signing_in_redirects_for_the_scope_and_signing_out_forgets_the_account_in_this_tab_only()
    {
        var cases = (await RunAsync(
            new JsonObject { ["silent"] = "unused", ["then"] = "signIn" },
            new JsonObject { ["cachedAccount"] = Account("alice@contoso.example"), ["silent"] = "t", ["then"] = "signOut" })).GetProperty("cases");

        Assert.Contains(cases[0].GetProperty("calls").EnumerateArray(), call => Call(call).SequenceEqual(["loginRedirect", Scope]));
        // onRedirectNavigate answers false: MSAL clears its cache and does not go to Entra ID's sign-out page.
        Assert.Contains(cases[1].GetProperty("calls").EnumerateArray(), call => Call(call).SequenceEqual(["logoutRedirect", "alice@contoso.example", "false"]));
        Assert.Equal(JsonValueKind.Null, cases[1].GetProperty("after").ValueKind);
    }
}
