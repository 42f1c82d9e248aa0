namespace Serverless.Testing.Chaos;

/// <summary>A client that follows channels through a fault run, and what it applied.</summary>
public interface IChaosFollower : IAsyncDisposable
{
    string Name { get; }

    IReadOnlyList<string> Channels { get; }

    /// <summary>What was applied on each channel, in order: sequence number and the update's number in the run.</summary>
    Task<IReadOnlyDictionary<string, (long Seq, long N)[]>> AppliedAsync();

    /// <summary>When the last update came by push.</summary>
    Task<DateTime> LastPushAsync();
}
