package co.signalchannel.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One named check of a probe, as MicroProfile Health reports it: its name, whether it is up, and
 * a few figures that explain the answer. Data values are strings, numbers or booleans.
 */
public record Check(String name, boolean up, Map<String, Object> data) {

    public Check {
        Objects.requireNonNull(name, "name");
        data.values().forEach(value -> {
            if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                throw new IllegalArgumentException("check " + name + ": data values must be strings, numbers or"
                        + " booleans, not " + value);
            }
        });
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static Check up(String name, Map<String, Object> data) {
        return new Check(name, true, data);
    }

    public static Check down(String name, Map<String, Object> data) {
        return new Check(name, false, data);
    }
}
