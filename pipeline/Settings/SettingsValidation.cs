using Microsoft.Extensions.Options;

namespace Serverless.Pipeline.Settings;

/// <summary>Options that check themselves and name the setting that is wrong.</summary>
public interface ISelfValidatingOptions
{
    IEnumerable<string> Validate();
}

internal sealed class SelfValidation<TOptions> : IValidateOptions<TOptions> where TOptions : class, ISelfValidatingOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public static class SettingsRegistration
{
    /// <summary>Binds a section (or the root) to <typeparamref name="TOptions"/> and validates it when the app starts.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, Action<TOptions, IConfiguration> bind)
        where TOptions : class, ISelfValidatingOptions
    {
        services.AddOptions<TOptions>()
            .Configure<IConfiguration>((options, configuration) => bind(options, configuration))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, SelfValidation<TOptions>>();
        return services;
    }
}
