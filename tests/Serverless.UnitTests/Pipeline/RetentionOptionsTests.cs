using Microsoft.Extensions.Configuration;
using Serverless.Pipeline.Retention;

namespace Serverless.UnitTests.Pipeline;

/// <summary><c>Retention__*</c>: the defaults, rules per channel pattern, and what is refused at start (docs/retention.md).</summary>
public sealed class RetentionOptionsTests
{
    [Fact]
    public void The_defaults_keep_a_week_and_100000_updates_and_compact_every_five_minutes()
    {
        var options = Bind([]);

        Assert.Empty(options.Validate());
        Assert.Equal(new RetentionRule(100_000, TimeSpan.FromDays(7)), options.For("prices.EURUSD"));
        Assert.Equal(TimeSpan.FromDays(30), options.DeadLetterMaxAge);
        Assert.Equal("0 */5 * * * *", options.Schedule);
    }

    [Fact]
    public void The_first_pattern_that_matches_gives_the_rule_and_an_empty_side_takes_the_default()
    {
        var options = Bind(new()
        {
            ["Retention:MaxUpdates"] = "500",
            ["Retention:MaxAge"] = "1.00:00:00",
            ["Retention:Channels"] = "orders.eu.*=/30.00:00:00; orders.*=1000000/2.00:00:00; prices.*=1000/",
        });

        Assert.Empty(options.Validate());
        Assert.Equal(new RetentionRule(500, TimeSpan.FromDays(30)), options.For("orders.eu.123"));
        Assert.Equal(new RetentionRule(1_000_000, TimeSpan.FromDays(2)), options.For("orders.us.9"));
        Assert.Equal(new RetentionRule(1000, TimeSpan.FromDays(1)), options.For("prices.EURUSD"));
        Assert.Equal(new RetentionRule(500, TimeSpan.FromDays(1)), options.For("telemetry.x"));
    }

    [Theory]
    [InlineData("Retention:Channels", "orders.*", "Retention__Channels")]
    [InlineData("Retention:Channels", "orders.*=many/", "Retention__Channels")]
    [InlineData("Retention:Channels", "orders.*=10/soon", "Retention__Channels")]
    [InlineData("Retention:Schedule", "every five minutes", "Retention__Schedule")]
    [InlineData("Retention:MaxUpdates", "-1", "Retention__MaxUpdates")]
    public void A_malformed_value_is_refused_with_its_settings_name(string key, string value, string named)
    {
        var options = Bind(new() { [key] = value });

        Assert.Contains(options.Validate(), problem => problem.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void A_duration_that_does_not_parse_is_refused_while_binding()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bind(new() { ["Retention:MaxAge"] = "a week" }));

        Assert.Contains("Retention__MaxAge", error.Message);
    }

    [Theory]
    [InlineData("0 */5 * * * *", true)]
    [InlineData("0 5 * * *", true)]
    [InlineData("00:10:00", true)]
    [InlineData("* * *", false)]
    public void Schedules_are_what_the_hosts_timer_trigger_takes(string expression, bool valid)
    {
        Assert.Equal(valid, RetentionOptions.IsSchedule(expression));
    }

    private static RetentionOptions Bind(Dictionary<string, string?> values)
    {
        var options = new RetentionOptions();
        RetentionOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return options;
    }
}
