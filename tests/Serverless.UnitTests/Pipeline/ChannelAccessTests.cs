using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Access;

namespace Serverless.UnitTests.Pipeline;

/// <summary>The channel rules as pure logic: the sample's rules, patterns, and the ranges a listing reads.</summary>
public sealed class ChannelAccessTests
{
    private static readonly ChannelAccess Sample = Access(SettingDefaults.PublicChannels, SettingDefaults.RoleChannels, SettingDefaults.UserChannels);

    private static readonly Caller Alice = new("alice", new HashSet<string> { "orders.reader" });
    private static readonly Caller Bob = new("bob", new HashSet<string>());
    private static readonly Caller Operator = new("operator", new HashSet<string> { "channels.reader" });

    [Theory]
    [InlineData("prices.EURUSD", true, true, true)]
    [InlineData("orders.eu", false, true, false)]
    [InlineData("users.alice.inbox", false, true, false)]
    [InlineData("users.bob.inbox", false, false, true)]
    [InlineData("users.alice", false, false, false)]
    [InlineData("pricesEURUSD", false, false, false)]
    [InlineData("other", false, false, false)]
    public void The_sample_rules_allow_what_they_say_and_nothing_else(string channel, bool anonymous, bool alice, bool bob)
    {
        Assert.Equal(anonymous, Sample.MayFollow(Caller.Anonymous, channel));
        Assert.Equal(alice, Sample.MayFollow(Alice, channel));
        Assert.Equal(bob, Sample.MayFollow(Bob, channel));
        Assert.True(Sample.MayFollow(Operator, channel));
    }

    [Fact]
    public void Refusals_say_whether_signing_in_could_help()
    {
        Assert.Equal(AccessDecision.SignInRequired, Sample.Check(Caller.Anonymous, "orders.eu"));
        Assert.Equal(AccessDecision.Forbidden, Sample.Check(Bob, "orders.eu"));
        Assert.Equal(AccessDecision.Allowed, Sample.Check(Alice, "orders.eu"));
    }

    [Theory]
    [InlineData("alice.x")]
    [InlineData("*")]
    [InlineData("a*")]
    [InlineData("")]
    public void A_user_id_that_is_not_one_channel_segment_gets_no_private_channels(string userId)
    {
        var caller = new Caller(userId, new HashSet<string>());

        Assert.False(Sample.MayFollow(caller, $"users.{userId}.inbox"));
        Assert.False(Sample.MayFollow(caller, "users.alice.x.inbox"));
        Assert.Equal(["prices."], Sample.ListingPrefixes(caller, ""));
    }

    [Fact]
    public void A_roles_claim_names_only_roles_the_rules_know()
    {
        var reader = new Caller("carol", new HashSet<string> { "ORDERS.READER", "orders.reader.extra" });

        Assert.False(Sample.MayFollow(reader, "orders.eu"));
    }

    [Fact]
    public void A_listing_reads_only_the_ranges_the_rules_reach()
    {
        Assert.Equal(["prices."], Sample.ListingPrefixes(Caller.Anonymous, ""));
        Assert.Equal(["orders.", "prices.", "users.alice."], Sample.ListingPrefixes(Alice, ""));
        Assert.Equal([""], Sample.ListingPrefixes(Operator, ""));
        Assert.Equal(["orders.eu"], Sample.ListingPrefixes(Alice, "orders.eu"));
        Assert.Equal(["users.alice."], Sample.ListingPrefixes(Alice, "users."));
        Assert.Empty(Sample.ListingPrefixes(Bob, "orders."));
    }

    [Fact]
    public void Nothing_is_allowed_without_rules()
    {
        var none = Access("", "", "");

        Assert.False(none.MayFollow(Operator, "prices.EURUSD"));
        Assert.Empty(none.ListingPrefixes(Operator, ""));
    }

    [Theory]
    [InlineData(SettingNames.RoleChannels, "orders.reader", "role=pattern")]
    [InlineData(SettingNames.RoleChannels, "=orders.*", "role=pattern")]
    [InlineData(SettingNames.PublicChannels, "prices/*", "letters, digits")]
    [InlineData(SettingNames.PublicChannels, "users.{user}.*", "user rules only")]
    [InlineData(SettingNames.UserChannels, "users.*", "names {user}")]
    [InlineData(SettingNames.SubscriptionMinutes, "0", "between 1")]
    public void A_malformed_rule_is_named_at_start(string setting, string value, string said)
    {
        var options = Options((setting, value));

        Assert.Contains(options.Validate(), error => error.Contains(setting) && error.Contains(said));
    }

    [Fact]
    public void The_sample_rules_are_valid()
    {
        Assert.Empty(Options(
            (SettingNames.PublicChannels, SettingDefaults.PublicChannels),
            (SettingNames.RoleChannels, SettingDefaults.RoleChannels),
            (SettingNames.UserChannels, SettingDefaults.UserChannels)).Validate());
    }

    private static ChannelAccess Access(string publicChannels, string roleChannels, string userChannels) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(
            (SettingNames.PublicChannels, publicChannels),
            (SettingNames.RoleChannels, roleChannels),
            (SettingNames.UserChannels, userChannels))));

    private static AccessOptions Options(params (string Setting, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(SettingNames.ConfigurationKey(v.Setting), v.Value)))
            .Build();
        var options = new AccessOptions();
        AccessOptions.Bind(options, configuration);
        return options;
    }
}
