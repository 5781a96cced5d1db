package io.leakwatch.stack;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docker/Dockerfile read into its stages and the instructions the build test replays. */
record Dockerfile(Map<String, String> args, List<Stage> stages) {
    private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?$");
    private static final Pattern MOUNT_OPTION = Pattern.compile("--mount=\\S+\\s+");

    record Copy(String from, List<String> sources, String destination) {
    }

    record Stage(String image, String name, String workdir, List<Copy> copies, List<String> runs, List<String> entrypoint) {
    }

    static Dockerfile parse(Path file) {
        List<String> lines;
        try {
            lines = joinContinuations(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Stage> stages = new ArrayList<>();
        Map<String, String> globals = new LinkedHashMap<>();
        String image = null;
        String name = null;
        String workdir = "/";
        List<Copy> copies = new ArrayList<>();
        List<String> runs = new ArrayList<>();
        List<String> entrypoint = List.of();
        for (String line : lines) {
            String[] words = line.split("\\s+", 2);
            String instruction = words[0].toUpperCase();
            String rest = words.length > 1 ? words[1].trim() : "";
            switch (instruction) {
                case "FROM" -> {
                    if (image != null) {
                        stages.add(new Stage(image, name, workdir, copies, runs, entrypoint));
                    }
                    Matcher m = FROM.matcher(line);
                    if (!m.matches()) {
                        throw new IllegalArgumentException("FROM line: " + line);
                    }
                    image = m.group(1);
                    name = m.group(2);
                    workdir = "/";
                    copies = new ArrayList<>();
                    runs = new ArrayList<>();
                    entrypoint = List.of();
                }
                case "ARG" -> {
                    if (image == null) { // global: usable in FROM lines
                        String[] nameValue = rest.split("=", 2);
                        globals.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : null);
                    }
                }
                case "WORKDIR" -> workdir = rest.startsWith("/") ? rest : Path.of(workdir, rest).toString();
                case "COPY" -> {
                    String from = null;
                    List<String> args = new ArrayList<>(List.of(rest.split("\\s+")));
                    while (args.get(0).startsWith("--")) {
                        String option = args.remove(0);
                        if (option.startsWith("--from=")) {
                            from = option.substring("--from=".length());
                        }
                    }
                    copies.add(new Copy(from, List.copyOf(args.subList(0, args.size() - 1)), args.get(args.size() - 1)));
                }
                case "RUN" -> runs.add(MOUNT_OPTION.matcher(rest).replaceAll(""));
                case "ENTRYPOINT" -> entrypoint = jsonArray(rest);
                default -> {
                    // USER, EXPOSE, ...: nothing to replay
                }
            }
        }
        if (image != null) {
            stages.add(new Stage(image, name, workdir, copies, runs, entrypoint));
        }
        return new Dockerfile(globals, stages);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name));
    }

    /** A FROM image with the global ARG defaults filled in. */
    String resolve(String image) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(image);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(args.get(m.group(1)))));
        }
        return m.appendTail(out).toString();
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }

    private static List<String> joinContinuations(List<String> raw) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : raw) {
            String trimmed = line.trim();
            if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                out.add(current.append(trimmed).toString().trim());
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String> jsonArray(String text) {
        try {
            return List.of(StackFiles.JSON.readValue(text, String[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("ENTRYPOINT must be the exec (JSON) form: " + text, e);
        }
    }
}
