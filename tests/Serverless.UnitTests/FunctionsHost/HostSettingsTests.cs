using Serverless.FunctionsHost;

namespace Serverless.UnitTests.FunctionsHost;

/// <summary>
/// Where the host stand-in's app settings come from when it runs alone (<c>serverless host</c>, as the AppHost starts
/// it): the script root's local.settings.json under the process's environment, as Core Tools does (docs/functions-host.md#settings).
/// </summary>
public sealed class HostSettingsTests
{
    [Fact]
    public void Environment_variables_win_over_local_settings_unless_empty_and_settings_may_come_from_the_environment_alone()
    {
        var root = Directory.CreateTempSubdirectory("script-root-").FullName;
        var prefix = $"HostSettingsTests_{Guid.NewGuid():N}_";
        var values = new Dictionary<string, string> { [prefix + "Both"] = "file", [prefix + "FileOnly"] = "file", [prefix + "EmptyInEnvironment"] = "file" };
        File.WriteAllText(Path.Combine(root, "local.settings.json"), System.Text.Json.JsonSerializer.Serialize(new { Values = values }));
        Environment.SetEnvironmentVariable(prefix + "Both", "environment");
        Environment.SetEnvironmentVariable(prefix + "EnvironmentOnly", "environment");
        Environment.SetEnvironmentVariable(prefix + "EmptyInEnvironment", "");
        try
        {
            var settings = FunctionsHostOptions.FromScriptRoot(root).Settings;

            Assert.Equal("environment", settings[prefix + "Both"]);
            Assert.Equal("file", settings[prefix + "FileOnly"]);
            Assert.Equal("environment", settings[prefix + "EnvironmentOnly"]);
            Assert.Equal("file", settings[prefix + "EmptyInEnvironment"]);
        }
        finally
        {
            foreach (var name in new[] { "Both", "EnvironmentOnly", "EmptyInEnvironment" })
            {
                Environment.SetEnvironmentVariable(prefix + name, null);
            }

            Directory.Delete(root, recursive: true);
        }
    }
}
