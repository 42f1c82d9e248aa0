namespace Serverless.Testing;

/// <summary>Finds the repository root (the folder holding Serverless.sln) from wherever the tests run.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string NodeBin(string tool) => Path.Combine(Root, "node_modules", ".bin", tool);

    /// <summary>The function app's build output in the tests' configuration (building the tests builds the app).</summary>
    public static string FunctionAppFolder => Path.Combine(Root, "functions", "bin", BuildConfiguration, "net10.0");

    /// <summary>The test app's build output (tests/Serverless.TestApp): functions the real app does not have.</summary>
    public static string TestAppFolder => Path.Combine(Root, "tests", "Serverless.TestApp", "bin", BuildConfiguration, "net10.0");

    private static string BuildConfiguration =>
        typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
