package co.signalchannel.config;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The resolved value of every {@link Setting}: an immutable snapshot taken at start-up.
 */
public final class Settings {

    private final Map<Setting, Long> values;
    private final Map<TextSetting, String> texts;

    private Settings(Map<Setting, Long> values, Map<TextSetting, String> texts) {
        this.values = values;
        this.texts = texts;
    }

    /** Every setting at its default. */
    public static Settings defaults() {
        return resolve(name -> null, name -> null, name -> null);
    }

    /**
     * Resolves every setting from the given sources, in order of precedence.
     *
     * @throws IllegalArgumentException naming the setting and where it came from, when a value
     *         is not a positive whole number, so a typo stops the deployment instead of being
     *         silently replaced by the default
     */
    public static Settings resolve(UnaryOperator<String> systemProperties,
                                   UnaryOperator<String> environment,
                                   UnaryOperator<String> contextParameters) {
        Map<Setting, Long> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, firstOf(setting,
                    new Source("system property", setting.propertyName(), systemProperties),
                    new Source("environment variable", setting.environmentName(), environment),
                    new Source("context parameter", setting.propertyName(), contextParameters)));
        }
        Map<TextSetting, String> texts = new EnumMap<>(TextSetting.class);
        for (TextSetting setting : TextSetting.values()) {
            texts.put(setting, firstText(setting.defaultValue(),
                    new Source("system property", setting.propertyName(), systemProperties),
                    new Source("environment variable", setting.environmentName(), environment),
                    new Source("context parameter", setting.propertyName(), contextParameters)));
        }
        return new Settings(values, texts);
    }

    /** A copy with one setting changed; for tests and embedding. */
    public Settings with(Setting setting, long value) {
        Map<Setting, Long> copy = new EnumMap<>(values);
        copy.put(setting, requirePositive(setting, value, "with()"));
        return new Settings(copy, texts);
    }

    /** A copy with one text setting changed; for tests and embedding. */
    public Settings with(TextSetting setting, String value) {
        Map<TextSetting, String> copy = new EnumMap<>(texts);
        copy.put(setting, value == null ? "" : value.strip());
        return new Settings(values, copy);
    }

    /** The value of a text setting, stripped; empty when unset. */
    public String text(TextSetting setting) {
        return texts.get(setting);
    }

    public long get(Setting setting) {
        return values.get(setting);
    }

    public int getInt(Setting setting) {
        return Math.toIntExact(values.get(setting));
    }

    public Duration duration(Setting setting) {
        return Duration.ofMillis(values.get(setting));
    }

    private record Source(String kind, String name, UnaryOperator<String> lookup) {
    }

    private static long firstOf(Setting setting, Source... sources) {
        for (Source source : sources) {
            String raw = source.lookup().apply(source.name());
            if (raw != null && !raw.isBlank()) {
                String where = source.kind() + " " + source.name();
                try {
                    return requirePositive(setting, Long.parseLong(raw.strip().replace("_", "")), where);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            where + " is \"" + raw + "\"; it must be a positive whole number", e);
                }
            }
        }
        return setting.defaultValue();
    }

    private static String firstText(String defaultValue, Source... sources) {
        for (Source source : sources) {
            String raw = source.lookup().apply(source.name());
            if (raw != null && !raw.isBlank()) {
                return raw.strip();
            }
        }
        return defaultValue;
    }

    private static long requirePositive(Setting setting, long value, String where) {
        if (value <= 0) {
            throw new IllegalArgumentException(
                    where + " (" + setting.key() + ") is " + value + "; it must be a positive whole number");
        }
        return value;
    }
}
