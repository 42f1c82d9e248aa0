namespace Serverless.Tests.WholeSystem;

/// <summary>
/// The tests that run the whole pipeline with every part in a process of its own run one after the other: side by side
/// they would share the two cores and race for the free ports each stack takes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WholeSystemCollection
{
    public const string Name = "whole system";
}
