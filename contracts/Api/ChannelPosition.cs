namespace Serverless.Contracts.Api;

/// <summary>Where a channel's log stands: its epoch (null before its first update) and its last sequence number.</summary>
public sealed record ChannelPosition(string Channel, string? Epoch, long Head);
