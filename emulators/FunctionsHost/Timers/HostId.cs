using System.Text;

namespace Serverless.FunctionsHost.Timers;

/// <summary>
/// The host's id, which names its timers' status and lock blobs: the <c>AzureFunctionsWebHost__hostid</c> setting, else,
/// as the Functions host derives it on a machine outside Azure, the machine's name (letters and digits) and a hash of
/// the script root's path, at most 32 characters, in lower case (docs/functions-host.md#timer-triggers).
/// </summary>
internal static class HostId
{
    public const string Setting = "AzureFunctionsWebHost:hostid";
    private const int MaximumLength = 32;

    public static string Of(string? configured, string scriptRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var machine = string.Concat(Environment.MachineName.Where(char.IsLetterOrDigit));
        var id = $"{machine}-{Math.Abs((long)StableHash(scriptRoot))}";
        return (id.Length > MaximumLength ? id[..MaximumLength] : id).ToLowerInvariant().TrimEnd('-');
    }

    private static int StableHash(string value)
    {
        unchecked
        {
            var hash = 23;
            foreach (var c in value)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }
}
