package io.leakwatch.config;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads a config file: windows_exporter YAML (.yml/.yaml) or HOCON/JSON (anything else). */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static Config load(Path file) throws UsageException {
        String text;
        try {
            text = ConfigText.read(file);
        } catch (IOException e) {
            throw new UsageException("--config.file: cannot read " + file + ": " + describe(e));
        }
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yml") || lower.endsWith(".yaml")) {
            return fromYaml(file, text);
        }
        String tooDeep = ConfigText.bracesTooDeep(text);
        if (tooDeep != null) {
            throw new UsageException("--config.file: " + file + " is " + tooDeep);
        }
        try {
            ConfigSyntax syntax = lower.endsWith(".json") ? ConfigSyntax.JSON : ConfigSyntax.CONF;
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults()
                    .setSyntax(syntax).setOriginDescription(file.toString()));
        } catch (ConfigException e) {
            throw new UsageException("--config.file: " + oneLine(e.getMessage()));
        }
    }

    /** YAML keys nest like windows_exporter's ({@code collector: {process: {include: x}}}); dotted keys work too. */
    static Config fromYaml(Path file, String text) throws UsageException {
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
            return ConfigFactory.empty();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new UsageException("--config.file: " + file + " must be a YAML mapping of settings");
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", map, flat, file);
        try {
            return ConfigFactory.parseMap(flat, file.toString());
        } catch (ConfigException e) {
            throw new UsageException("--config.file: " + oneLine(e.getMessage()));
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out, Path file) throws UsageException {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out, file);
            } else if (value instanceof List<?> list) {
                if (list.stream().anyMatch(item -> item instanceof List<?> || item instanceof Map<?, ?>)) {
                    throw new UsageException("--" + CommandLine.printable(key) + ": expected a list of plain values in " + file
                            + ", found a nested list or mapping");
                }
                out.put(key, list.stream().map(String::valueOf).toList());
            } else if (value == null) {
                out.put(key, "");
            } else {
                out.put(key, value instanceof Boolean ? value : String.valueOf(value));
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
