namespace Serverless.Testing;

public static class FreePort
{
    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int Next() => Serverless.Cli.Local.Ports.Free();
}
