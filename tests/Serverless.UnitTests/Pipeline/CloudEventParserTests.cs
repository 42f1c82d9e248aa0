using System.Text;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.UnitTests.Pipeline;

public sealed class CloudEventParserTests
{
    private static readonly EventOrigin Origin = new("0", 5, "500", null, null, 0, 0);
    private readonly CloudEventParser parser = new(maxEventBytes: 2048, deadLetterBodyBytes: 64);

    private (List<Update> Updates, List<Rejection> Rejections) Parse(string body)
    {
        var updates = new List<Update>();
        var rejections = new List<Rejection>();
        parser.Parse(Encoding.UTF8.GetBytes(body), Origin, updates, rejections);
        return (updates, rejections);
    }

    [Fact]
    public void A_structured_event_maps_to_an_update()
    {
        var (updates, rejections) = Parse("""
            {"specversion":"1.0","id":"42","source":"/prices","type":"com.example.price","subject":"prices:EUR-USD",
             "time":"2026-11-23T10:00:00.5Z","entitykey":"EURUSD","entityversion":"17","data":{"bid":1.08}}
            """);

        Assert.Empty(rejections);
        var update = Assert.Single(updates);
        Assert.Equal(("prices:EUR-USD", "42", "/prices", "com.example.price", "EURUSD", 17L), (update.Channel, update.Id, update.Source, update.Type, update.Key, update.Version!.Value));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, 500, TimeSpan.Zero), update.Time);
        Assert.Equal(1.08, update.Data.GetProperty("bid").GetDouble());
    }

    [Fact]
    public void A_batched_body_gives_each_event_its_index()
    {
        var (updates, rejections) = Parse("""
            [{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","data":1},
             {"specversion":"1.0","id":"2","source":"s","type":"t","subject":"c"},
             {"specversion":"1.0","id":"3","source":"s","type":"t","subject":"c","data":null}]
            """);

        Assert.Equal([0, 2], updates.Select(u => u.Origin.IndexInBody));
        Assert.Equal(1, Assert.Single(rejections).Origin.IndexInBody);
        Assert.NotEqual(updates[0].Origin.Locator, updates[1].Origin.Locator);
    }

    [Fact]
    public void A_rejected_body_is_kept_bounded_on_a_character_boundary()
    {
        var (_, rejections) = Parse("{\"x\":\"" + new string('é', 100) + "\"");

        var rejection = Assert.Single(rejections);
        Assert.Equal(RejectionReason.MalformedJson, rejection.Reason);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(rejection.RawBody) <= 64);
        Assert.StartsWith(rejection.RawBody, "{\"x\":\"" + new string('é', 100));
    }

    [Theory]
    [InlineData("C328", 28)] // a lead byte followed by no continuation byte
    [InlineData("C0AF", 28)] // an overlong encoding of '/'
    [InlineData("EDA080", 28)] // a UTF-16 surrogate encoded as UTF-8
    [InlineData("E282", 28)] // a sequence cut short by the end of the string
    public void A_body_that_is_not_UTF8_is_refused_with_the_offset_of_its_first_bad_byte(string badBytes, int offset)
    {
        var body = Encoding.UTF8.GetBytes("{\"specversion\":\"1.0\",\"id\":\"x")
            .Concat(Convert.FromHexString(badBytes))
            .Concat(Encoding.UTF8.GetBytes("\",\"source\":\"/s\",\"type\":\"t\",\"subject\":\"c\",\"data\":{}}"))
            .ToArray();
        var updates = new List<Update>();
        var rejections = new List<Rejection>();

        parser.Parse(body, Origin, updates, rejections);

        Assert.Empty(updates);
        var rejection = Assert.Single(rejections);
        Assert.Equal(RejectionReason.NotUtf8, rejection.Reason);
        Assert.Contains($"offset {offset} ({badBytes}", rejection.Detail);
        Assert.Contains('\uFFFD', rejection.RawBody);
    }

    [Fact]
    public void A_leading_byte_order_mark_is_skipped()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }
            .Concat(Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"c","data":{"v":"é"}}"""))
            .ToArray();
        var updates = new List<Update>();
        var rejections = new List<Rejection>();

        parser.Parse(body, Origin, updates, rejections);

        Assert.Empty(rejections);
        Assert.Equal("é", Assert.Single(updates).Data.GetProperty("v").GetString());
    }

    [Theory]
    [InlineData("prices.EUR-USD_1:live", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/no", false)]
    [InlineData("ümlaut", false)]
    public void Channel_names_keep_to_the_shared_charset(string name, bool valid) =>
        Assert.Equal(valid, ChannelName.IsValid(name));

    [Fact]
    public void Channel_names_are_at_most_128_characters() =>
        Assert.Equal([true, false], new[] { new string('a', 128), new string('a', 129) }.Select(ChannelName.IsValid));
}
