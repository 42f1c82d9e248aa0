namespace Serverless.Pipeline.CloudEvents;

/// <summary>An update with its place in the channel's log, and its key's version once it is stored.</summary>
public sealed record SequencedUpdate(long Sequence, Update Update, long? KeyVersion = null);
