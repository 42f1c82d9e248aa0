using System.Text.Json;
using Serverless.Infra.Model;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.Infra;

public sealed class WebSiteFilesTests
{
    [Fact]
    public void The_site_is_the_web_folder_plus_the_SignalR_client_and_MSAL_from_npm()
    {
        var repo = TestRepo.Layout;

        var files = WebSiteFiles.Collect(repo);

        var index = Assert.Single(files, f => f.SitePath == WebSiteFiles.IndexDocument);
        Assert.Equal("text/html; charset=utf-8", index.ContentType);
        Assert.Contains(files, f => f.SitePath == "app.js" && f.ContentType.StartsWith("text/javascript", StringComparison.Ordinal));
        var signalR = Assert.Single(files, f => f.SitePath == WebSiteFiles.SignalRScript);
        Assert.True(File.Exists(signalR.SourcePath));
        var msal = Assert.Single(files, f => f.SitePath == WebSiteFiles.MsalScript);
        Assert.True(File.Exists(msal.SourcePath));
        Assert.Equal(Directory.GetFiles(repo.Web, "*", SearchOption.AllDirectories).Length + 2, files.Count);
    }

    [Fact]
    public void Config_json_names_the_deployed_API()
    {
        var api = WebSiteFiles.ApiBase("serverless-abc.azurewebsites.net");

        using var json = JsonDocument.Parse(WebSiteFiles.ConfigJson(api));

        Assert.Equal("https://serverless-abc.azurewebsites.net/api", json.RootElement.GetProperty("api").GetString());
        Assert.Equal("https://sa.z6.web.core.windows.net", WebSiteFiles.Origin("https://sa.z6.web.core.windows.net/"));
        Assert.False(json.RootElement.TryGetProperty("signIn", out _));
    }

    [Fact]
    public void A_stacks_config_json_tells_the_page_to_sign_in_with_Entra_ID_for_the_APIs_scope()
    {
        var entra = InfraSettingsTests.Stack("flex").Entra;

        using var json = JsonDocument.Parse(WebSiteFiles.ConfigJson("https://app.example/api",
            new PageSignIn(PageSignIn.Entra, ClientId: entra.ApiClientId, Authority: entra.PageAuthority, Scope: entra.PageScope)));
        var signIn = json.RootElement.GetProperty("signIn");

        Assert.Equal("entra", signIn.GetProperty("kind").GetString());
        Assert.Equal(InfraSettingsTests.ApiClientId, signIn.GetProperty("clientId").GetString());
        Assert.Equal($"https://login.microsoftonline.com/{InfraSettingsTests.TenantId}", signIn.GetProperty("authority").GetString());
        Assert.Equal($"api://{InfraSettingsTests.ApiClientId}/access_as_user", signIn.GetProperty("scope").GetString());
        Assert.False(signIn.TryGetProperty("tokenUrl", out _));
    }

    [Fact]
    public void A_file_with_no_known_content_type_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => WebSiteFiles.ContentType("web/notes.txt"));

        Assert.Contains("'.txt'", error.Message);
    }
}
