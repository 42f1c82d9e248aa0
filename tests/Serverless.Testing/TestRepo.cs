using Serverless.Tooling;

namespace Serverless.Testing;

/// <summary>The clone the tests run in, and the one folder only the tests need.</summary>
public static class TestRepo
{
    public static RepoLayout Layout { get; } = RepoLayout.Find();

    /// <summary>The test app's build output (tests/Serverless.TestApp): functions the real app does not have.</summary>
    public static string TestAppFolder => Layout.BuildOutput(Path.Combine("tests", "Serverless.TestApp"));
}
