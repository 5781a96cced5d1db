package io.leakwatch.config;

import com.google.re2j.PatternSyntaxException;
import io.leakwatch.common.GoRegex;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a config file as windows_exporter reads it: YAML whatever the file is called, UTF-8 or
 * UTF-16, the first document when more follow. leakwatch also reads JSON (.json) and HOCON
 * (.conf, .hocon); a .conf file that is YAML and not HOCON is read as YAML, with a warning, and a
 * file of another name that is HOCON and not YAML is read as HOCON, with a warning. Keys may be
 * nested or dotted in every format. Keys of windows_exporter's other collectors are set aside; a
 * key neither leakwatch nor windows_exporter knows is an error.
 */
public final class ConfigFiles {
    /** Only on the command line: the file's own keys cannot name another file. */
    public static final Flag FLAG = Flag.path("config.file", "",
            "Config file: windows_exporter's YAML whatever its name (UTF-8 or UTF-16), or HOCON (.conf) or JSON (.json). "
                    + "Its keys are the flag names; flags win.");

    private ConfigFiles() {
    }

    /**
     * @param settings leakwatch's own keys, as a Config
     * @param ignored  other collectors' keys windows_exporter takes and leakwatch ignores, in file order
     * @param notes    how the file was read, when that is worth a warning (YAML in a .conf file)
     */
    record Loaded(Config settings, List<String> ignored, List<String> notes) {
    }

    static Loaded load(Path file, FlagSet flags) throws UsageException {
        String text;
        try {
            text = ConfigText.read(file);
        } catch (IOException e) {
            throw new UsageException("--config.file: cannot read " + file + ": " + describe(e));
        }
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<String> notes = new ArrayList<>();
        Map<?, ?> root;
        if (lower.endsWith(".json")) {
            root = hocon(file, text, ConfigSyntax.JSON);
        } else if (lower.endsWith(".conf") || lower.endsWith(".hocon")) {
            root = hoconOrYaml(file, text, notes);
        } else {
            root = yamlOrHocon(file, text, notes);
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", root, flat);
        Loaded classified = classify(file, flat, flags);
        return new Loaded(classified.settings(), classified.ignored(), List.copyOf(notes));
    }

    /** HOCON by its name; YAML (windows_exporter's config.yaml saved as .conf) when it is not HOCON. */
    private static Map<?, ?> hoconOrYaml(Path file, String text, List<String> notes) throws UsageException {
        try {
            return hocon(file, text, ConfigSyntax.CONF);
        } catch (UsageException notHocon) {
            try {
                Map<?, ?> yaml = yaml(file, text);
                notes.add(file + " is not HOCON (" + notHocon.getMessage().replaceFirst("^--config.file: ", "")
                        + "); read as YAML, as windows_exporter reads it");
                return yaml;
            } catch (UsageException notYaml) {
                if (looksLikeYaml(text)) {
                    throw new UsageException(notYaml.getMessage() + " (read as YAML: this looks like YAML, not the HOCON its name says)");
                }
                throw notHocon;
            }
        }
    }

    /** YAML, as windows_exporter reads any file; HOCON (leakwatch's own, once read by this name) when it is not YAML. */
    private static Map<?, ?> yamlOrHocon(Path file, String text, List<String> notes) throws UsageException {
        try {
            return yaml(file, text);
        } catch (UsageException notYaml) {
            if (looksLikeYaml(text)) {
                throw notYaml;
            }
            try {
                Map<?, ?> hocon = hocon(file, text, ConfigSyntax.CONF);
                notes.add(file + " is not YAML; read as HOCON (name it .conf to say so)");
                return hocon;
            } catch (UsageException notHocon) {
                throw notYaml;
            }
        }
    }

    /** Block YAML: a '---' line, a '- ' item, or a key ending its line (a mapping below it), none of which HOCON writes. */
    private static boolean looksLikeYaml(String text) {
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (t.equals("---") || t.startsWith("- ") || t.equals("-") || t.matches("[\\w.\"'-]+:")) {
                return true;
            }
        }
        return false;
    }

    private static Map<?, ?> hocon(Path file, String text, ConfigSyntax syntax) throws UsageException {
        String tooDeep = ConfigText.bracesTooDeep(text);
        if (tooDeep != null) {
            throw new UsageException("--config.file: " + file + " is " + tooDeep);
        }
        try {
            // resolve() here: ${...} substitutions are HOCON's, and an undefined one is the user's mistake
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults()
                    .setSyntax(syntax).setOriginDescription(file.toString())).resolve().root().unwrapped();
        } catch (ConfigException e) {
            throw new UsageException("--config.file: " + oneLine(e.getMessage()));
        }
    }

    /**
     * YAML keys nest like windows_exporter's ({@code collector: {process: {include: x}}}); dotted keys
     * work too. The first document only, as windows_exporter's decoder reads it: a trailing '---' or
     * a second document is not read.
     */
    private static Map<?, ?> yaml(Path file, String text) throws UsageException {
        Object root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
            String tooDeep = ConfigText.yamlTooDeep(text, settings);
            if (tooDeep != null) {
                throw new UsageException("--config.file: " + file + " is " + tooDeep);
            }
            Iterator<Object> documents = new Load(settings).loadAllFromString(text).iterator();
            root = documents.hasNext() ? documents.next() : null;
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
            WindowsExporterKeys.FileKey other = WindowsExporterKeys.fileKey(key);
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
            return new Loaded(ConfigFactory.parseMap(own, file.toString()), List.copyOf(ignored), List.of());
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
                GoRegex.check(String.valueOf(value));
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
