using System.Text.Json;
using Serverless.Pipeline.Ingest;

namespace Serverless.UnitTests.Pipeline;

public sealed class EventTraceContextTests
{
    private const string Sent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string Other = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Fact]
    public void Each_event_gets_the_context_its_properties_carry()
    {
        var properties = Json([new { Diagnostic_Id = Sent }, new { other = "x" }, new { traceparent = Other }]);

        var contexts = EventTraceContext.Read(properties, 3);

        Assert.Equal<IEnumerable<string?>>([Sent, null, Other], contexts);
    }

    [Fact]
    public void Traceparent_comes_before_diagnostic_id_as_the_azure_sdks_read_it()
    {
        var properties = """[{"Diagnostic-Id":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}]""";

        Assert.Equal<IEnumerable<string?>>([Sent], EventTraceContext.Read(properties, 1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{\"Diagnostic-Id\":\"x\"}")]
    [InlineData("[{\"Diagnostic-Id\":5}]")]
    [InlineData("[{\"Diagnostic-Id\":")]
    public void Properties_without_a_context_leave_every_event_without_one(string? properties)
    {
        Assert.Equal<IEnumerable<string?>>([null, null], EventTraceContext.Read(properties, 2));
    }

    [Fact]
    public void More_properties_than_events_are_not_read_past_the_batch()
    {
        Assert.Equal<IEnumerable<string?>>([Sent], EventTraceContext.Read(Json([new { Diagnostic_Id = Sent }, new { Diagnostic_Id = Other }]), 1));
    }

    [Theory]
    [InlineData(Sent, true)]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", false)]
    [InlineData("not a traceparent", false)]
    [InlineData(null, false)]
    public void Only_a_valid_traceparent_names_a_context(string? traceParent, bool valid)
    {
        Assert.Equal(valid, EventTraceContext.Parse(traceParent) is not null);
    }

    // Anonymous types cannot hold a '-' in a name: Diagnostic_Id is written as Diagnostic-Id.
    private static string Json(object[] properties) => JsonSerializer.Serialize(properties).Replace("Diagnostic_Id", "Diagnostic-Id");
}
