using Microsoft.Extensions.Options;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Settings;
using Serverless.Tests;

namespace Serverless.UnitTests.Pipeline;

/// <summary>Negotiate's client tokens as pure logic: whose user they name, and how long they last.</summary>
public sealed class ClientTokensTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ClientTokens Tokens() => new(
        Options.Create(new SignalROptions { ConnectionString = SettingDefaults.LocalSignalRConnection(), HubName = "updates" }),
        new FixedTime(Now));

    private static long Lifetime(string token)
    {
        var claims = Jwt.ValidatedPayload(token, SettingDefaults.LocalSignalRAccessKey);
        return claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
    }

    [Fact]
    public void An_anonymous_caller_gets_a_new_unguessable_id_each_time()
    {
        var (first, second) = (Tokens().Issue(Caller.Anonymous), Tokens().Issue(Caller.Anonymous));

        Assert.True(ClientTokens.IsAnonymousUserId(first.UserId), first.UserId);
        Assert.NotEqual(first.UserId, second.UserId);
        Assert.Equal(first.UserId, Jwt.ValidatedPayload(first.AccessToken, SettingDefaults.LocalSignalRAccessKey).GetProperty("asrs.s.uid").GetString());
        Assert.Equal(3600, Lifetime(first.AccessToken));
    }

    [Theory]
    [InlineData("anonymous.")]
    [InlineData("anonymous.short")]
    [InlineData("anonymous.AAAAAAAAAAAAAAAAAAAAAA.more")]
    [InlineData("alice")]
    [InlineData("")]
    public void Only_the_form_negotiate_makes_is_an_anonymous_id(string userId) => Assert.False(ClientTokens.IsAnonymousUserId(userId));

    [Fact]
    public void A_signed_in_callers_token_names_its_user_and_ends_with_the_callers_own()
    {
        Caller Alice(DateTimeOffset expires) => new("alice", new HashSet<string>(), expires);

        var soon = Tokens().Issue(Alice(Now.AddMinutes(10)));
        var later = Tokens().Issue(Alice(Now.AddHours(5)));
        var inTheSkew = Tokens().Issue(Alice(Now.AddSeconds(-20)));

        Assert.Equal("alice", soon.UserId);
        Assert.Equal(600, Lifetime(soon.AccessToken));
        Assert.Equal(3600, Lifetime(later.AccessToken));
        Assert.Equal(30, Lifetime(inTheSkew.AccessToken));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
