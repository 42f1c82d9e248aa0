using System.CommandLine;
using System.Globalization;

namespace Serverless.Cli.Token;

/// <summary>
/// <c>token --user alice [--role orders.reader]… [--lifetime 1h]</c>: prints a bearer token of the local development
/// issuer that the local stack's function app accepts, and nothing else on standard output, as
/// <c>dotnet user-jwts create</c> does for an ASP.NET Core app. The issuer and key are the app's own settings:
/// <c>functions/local.settings.json</c> if it exists, else <c>local.settings.sample.json</c>, as <c>up</c> reads them.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "The user id the token names (claim sub).", Required = true };
        var roles = new Option<string[]>("--role") { Description = "A role the token holds (repeat for more), such as orders.reader or channels.reader.", AllowMultipleArgumentsPerToken = false };
        var lifetime = new Option<string>("--lifetime") { Description = "How long the token lasts: 90s, 30m, 1h, 2d, or hh:mm:ss.", DefaultValueFactory = _ => "1h" };
        var command = new Command("token", "Print a bearer token of the local development issuer, for calling the local stack's API as a user.")
        {
            user, roles, lifetime,
        };

        command.SetAction(result =>
        {
            if (!TryParseLifetime(result.GetValue(lifetime) ?? "", out var span))
            {
                Console.Error.WriteLine($"--lifetime '{result.GetValue(lifetime)}' is not a duration such as 90s, 30m, 1h, 2d or 01:00:00 (at most 1 day).");
                return 2;
            }

            if (CallerToken.LocalIssuer(out var settingsFile) is not { } issuer)
            {
                Console.Error.WriteLine($"{settingsFile} names no development issuer (Auth__Issuer and Auth__SigningKey): its app checks Microsoft Entra ID's tokens, which this command cannot make.");
                return 2;
            }

            Console.Out.WriteLine(issuer.CreateToken(result.GetValue(user)!, result.GetValue(roles) ?? [], span));
            return 0;
        });
        return command;
    }

    /// <summary>90s, 30m, 1h, 2d, or a TimeSpan (hh:mm:ss); positive, at most a day.</summary>
    public static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            lifetime = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => TimeSpan.Zero,
            };
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            lifetime = span;
        }

        return lifetime > TimeSpan.Zero && lifetime <= TimeSpan.FromDays(1);
    }
}
