package io.leakwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags of every feature, in the order --help lists them. Immutable.
 */
public final class FlagSet {
    private final List<Flag> all;
    private final Map<String, Flag> byName = new LinkedHashMap<>();

    public FlagSet(List<Flag> flags) {
        this.all = List.copyOf(flags);
        for (Flag flag : all) {
            if (byName.put(flag.name(), flag) != null) {
                throw new IllegalArgumentException("flag --" + flag.name() + " declared twice");
            }
        }
    }

    public List<Flag> all() {
        return all;
    }

    public Optional<Flag> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** True when some flag lives below this config-file section ({@code collector.process}). */
    boolean isSection(String key) {
        return all.stream().anyMatch(f -> f.name().startsWith(key + "."));
    }

    /** The built-in defaults, as the last fallback of the merged config. */
    Config defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Flag flag : all) {
            values.put(flag.name(), flag.defaultValue());
        }
        return ConfigFactory.parseMap(values, "built-in defaults");
    }
}
