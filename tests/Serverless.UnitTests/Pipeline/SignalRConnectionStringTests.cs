using Serverless.Pipeline.Settings;

namespace Serverless.UnitTests.Pipeline;

public sealed class SignalRConnectionStringTests
{
    [Fact]
    public void Port_and_client_endpoint_are_honoured_and_keys_are_case_insensitive()
    {
        var parsed = SignalRConnectionString.Parse("endpoint=https://x.service.signalr.net;accesskey=K;version=1.0;port=8443;ClientEndpoint=https://edge.example.com", "S");

        Assert.Equal(new Uri("https://x.service.signalr.net:8443"), parsed.Endpoint);
        Assert.Equal(new Uri("https://edge.example.com"), parsed.ClientEndpoint);
        Assert.Equal("K", parsed.AccessKey);
    }

    [Theory]
    [InlineData("Endpoint=https://x;AccessKey=K;Version=2.0;", "Version")]
    [InlineData("Endpoint=https://x;AuthType=aad;Version=1.0;", "AuthType")]
    [InlineData("Endpoint=https://x;AccessKey=K;Version=1.0;Port=huge", "Port")]
    public void Unsupported_or_malformed_parts_are_named(string text, string named) =>
        Assert.Contains(named, Assert.Throws<FormatException>(() => SignalRConnectionString.Parse(text, "S")).Message);
}
