using Microsoft.AspNetCore.Http;
using Serverless.Contracts.Settings;
using Serverless.FunctionsHost;
using Serverless.FunctionsHost.Bindings;
using Serverless.FunctionsHost.Invocation;

namespace Serverless.UnitTests.FunctionsHost;

/// <summary>The host stand-in's pure rules: binding expressions and retry delays (docs/functions-host.md).</summary>
public sealed class HostBindingRulesTests
{
    [Fact]
    public void Binding_expressions_take_settings_headers_and_query_values()
    {
        var expressions = new BindingExpressions(new FunctionsHostOptions("/app", 0, new Dictionary<string, string?> { [SettingNames.SignalRHubName] = "updates" }));
        var http = new DefaultHttpContext();
        http.Request.Headers["x-ms-client-principal-id"] = "alice";
        http.Request.QueryString = new QueryString("?room=blue");

        Assert.Equal("updates", expressions.Resolve("%SignalR:HubName%"));
        Assert.Equal("updates", expressions.Resolve("%SignalR__HubName%"));
        Assert.Equal("alice-blue", expressions.Resolve("{headers.x-ms-client-principal-id}-{query.room}", http));
        Assert.Equal("", expressions.Resolve("{headers.missing}", http));
        var missing = Assert.Throws<BindingException>(() => expressions.Resolve("%NoSuchSetting%"));
        Assert.Contains("NoSuchSetting", missing.Message);
    }

    [Fact]
    public void Fixed_delay_retries_wait_the_same_and_stop_at_the_maximum()
    {
        var policy = new RetryPolicy(2, TimeSpan.FromSeconds(3), TimeSpan.Zero, Exponential: false);

        Assert.All(Enumerable.Range(1, 2), retry => Assert.Equal(TimeSpan.FromSeconds(3), policy.DelayBefore(retry, new Random(retry))));
        Assert.True(policy.ShouldRetry(1));
        Assert.False(policy.ShouldRetry(2));
    }

    [Fact]
    public void Exponential_backoff_waits_the_minimum_then_about_doubles_and_never_exceeds_the_maximum()
    {
        var policy = new RetryPolicy(-1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), Exponential: true);
        var random = new Random(7);

        Assert.Equal(TimeSpan.FromSeconds(1), policy.DelayBefore(1, random));
        // The k-th delay is min + 2^(k-2)·min, ±20 %.
        Assert.InRange(policy.DelayBefore(2, random).TotalSeconds, 1.8, 2.2);
        Assert.InRange(policy.DelayBefore(3, random).TotalSeconds, 2.6, 3.4);
        Assert.InRange(policy.DelayBefore(5, random).TotalSeconds, 7.4, 10.6);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.DelayBefore(12, random));
        Assert.True(policy.ShouldRetry(10_000));
    }
}
