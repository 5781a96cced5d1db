package io.leakwatch.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a config file: windows_exporter YAML (.yml/.yaml), JSON (.json) or HOCON (anything else).
 * Keys may be nested or dotted in every format. Keys of windows_exporter's other collectors are
 * checked as windows_exporter checks them and set aside; a key neither leakwatch nor
 * windows_exporter knows is an error.
 */
public final class ConfigFiles {
    /** Only on the command line: the file's own keys cannot name another file. */
    public static final Flag FLAG = Flag.path("config.file", "",
            "Config file: windows_exporter's YAML (.yml/.yaml), or HOCON/JSON. Its keys are the flag names; flags win.");

    private ConfigFiles() {
    }

    /**
     * @param settings leakwatch's own keys, as a Config
     * @param ignored  other collectors' keys windows_exporter takes and leakwatch ignores, in file order
     */
    record Loaded(Config settings, List<String> ignored) {
    }

    static Loaded load(Path file, FlagSet flags) throws UsageException {
        String text;
        try {
            text = ConfigText.read(file);
        } catch (IOException e) {
            throw new UsageException("--config.file: cannot read " + file + ": " + describe(e));
        }
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<?, ?> root = lower.endsWith(".yml") || lower.endsWith(".yaml") ? yaml(file, text) : hocon(file, text, lower);
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", root, flat);
        return classify(file, flat, flags);
    }

    private static Map<?, ?> hocon(Path file, String text, String lower) throws UsageException {
        String tooDeep = ConfigText.bracesTooDeep(text);
        if (tooDeep != null) {
            throw new UsageException("--config.file: " + file + " is " + tooDeep);
        }
        try {
            ConfigSyntax syntax = lower.endsWith(".json") ? ConfigSyntax.JSON : ConfigSyntax.CONF;
            // resolve() here: ${...} substitutions are HOCON's, and an undefined one is the user's mistake
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults()
                    .setSyntax(syntax).setOriginDescription(file.toString())).resolve().root().unwrapped();
        } catch (ConfigException e) {
            throw new UsageException("--config.file: " + oneLine(e.getMessage()));
        }
    }

    /** YAML keys nest like windows_exporter's ({@code collector: {process: {include: x}}}); dotted keys work too. */
    private static Map<?, ?> yaml(Path file, String text) throws UsageException {
        Object root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
            String tooDeep = ConfigText.yamlTooDeep(text, settings);
            if (tooDeep != null) {
                throw new UsageException("--config.file: " + file + " is " + tooDeep);
            }
            root = new Load(settings).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
            throw new UsageException("--config.file: invalid YAML in " + file + where + ": " + oneLine(e.getProblem()));
        } catch (YamlEngineException e) {
            throw new UsageException("--config.file: invalid YAML in " + file + ": " + oneLine(e.getMessage()));
        }
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new UsageException("--config.file: " + file + " must be a YAML mapping of settings");
        }
        return map;
    }

    /** {@code {a: {b: 1}}} and {@code {"a.b": 1}} both become {@code a.b = 1}; lists stay lists; an empty mapping leaves no key. */
    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    private static Loaded classify(Path file, Map<String, Object> flat, FlagSet flags) throws UsageException {
        Map<String, Object> own = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, Object> e : flat.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (key.equals(FLAG.name())) {
                throw new UsageException("--config.file " + file + ": key 'config.file' is only valid on the command line");
            }
            Flag flag = flags.find(key).orElse(null);
            if (flag != null) {
                checkOwnLikeWindowsExporter(file, flag, value);
                // lists stay lists (a nested one is reported by the setting that reads it)
                own.put(key, value instanceof List<?> ? value
                        : value == null ? "" : value instanceof Boolean ? value : String.valueOf(value));
                continue;
            }
            if (value == null && flags.isSection(key)) {
                continue; // "collector: {process: }" is an empty section
            }
            WindowsExporterKeys.FileKey other = WindowsExporterKeys.fileKey(key, value);
            if (other instanceof WindowsExporterKeys.FileKey.Ignored i) {
                ignored.add(i.key());
            } else if (other instanceof WindowsExporterKeys.FileKey.Refused r) {
                throw new UsageException("--config.file " + file + ": " + r.problem());
            } else {
                throw new UsageException("--config.file " + file + ": unknown key '" + CommandLine.printable(key)
                        + "' (neither a leakwatch nor a windows_exporter setting)");
            }
        }
        try {
            return new Loaded(ConfigFactory.parseMap(own, file.toString()), List.copyOf(ignored));
        } catch (ConfigException e) {
            throw new UsageException("--config.file: " + oneLine(e.getMessage()));
        }
    }

    /**
     * windows_exporter's YAML decoder compiles a regex key as written, before the ^(?:...)$ the
     * flag gets, so an expression that only works inside the wrapper is refused in a file.
     */
    private static void checkOwnLikeWindowsExporter(Path file, Flag key, Object value) throws UsageException {
        if (key.kind() == Flag.Kind.REGEX && value != null && !(value instanceof List<?>)) {
            try {
                Pattern.compile(String.valueOf(value));
            } catch (PatternSyntaxException e) {
                throw new UsageException("--config.file " + file + ": " + key.name() + ": invalid regex (Go RE2 syntax): "
                        + e.getDescription() + " in '" + CommandLine.printable(String.valueOf(value)) + "'");
            }
        }
    }

    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    private static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "NoSuchFileException" -> "no such file";
            case "AccessDeniedException" -> "permission denied";
            default -> oneLine(e.getMessage() == null ? name : e.getMessage());
        };
    }
}
