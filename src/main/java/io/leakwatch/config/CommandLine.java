package io.leakwatch.config;

import io.leakwatch.common.Printable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Parses kingpin-style flags as windows_exporter takes them: {@code --a.b=v}, {@code --a.b v},
 * {@code --flag} / {@code --no-flag} for booleans, {@code -h/--help}, {@code --version}.
 *
 * @param values            flag name -> String, Boolean or List of String
 * @param action            what the user asked for
 * @param otherCollectorFlags flags of windows_exporter's other collectors that were given: taken with
 *                          their values unchecked, then ignored (leakwatch serves only process)
 */
public record CommandLine(Map<String, Object> values, Action action, List<String> otherCollectorFlags) {
    public enum Action { RUN, HELP, VERSION }

    public static CommandLine parse(List<String> args, FlagSet flags) throws UsageException {
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        Action action = Action.RUN;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("--help-long") || arg.equals("--help-man")) {
                action = Action.HELP;
                continue;
            }
            if (arg.equals("--version")) {
                if (action == Action.RUN) {
                    action = Action.VERSION;
                }
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + printable(arg) + "' (flags start with --; see --help)");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String inline = eq < 0 ? null : body.substring(eq + 1);

            Flag flag = flags.find(name).orElse(null);
            if (flag == null && name.startsWith("no-") && inline == null) {
                Flag negated = flags.find(name.substring(3)).orElse(null);
                if (negated != null && negated.kind() == Flag.Kind.BOOLEAN) {
                    put(values, negated, Boolean.FALSE);
                    continue;
                }
            }
            if (flag == null) {
                i = otherCollectorFlag(args, i, name, inline, others);
                continue;
            }
            switch (flag.kind()) {
                case BOOLEAN -> put(values, flag, inline == null || ConfigValues.parseBoolean(flag.name(), inline));
                case STRING, PATH, REGEX, REPEATABLE -> {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException("flag --" + flag.name() + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    put(values, flag, value);
                }
            }
        }
        return new CommandLine(values, action, List.copyOf(others));
    }

    /**
     * The arguments with the value of every flag of {@code flags} that {@code change} rewrites
     * replaced in place ({@code --a=v} stays one argument, {@code --a v} two), everything else as
     * given. The arguments must parse ({@link #parse}); what does not is left as it is.
     *
     * @param change the flag and its value to the new value (the value itself to keep it)
     */
    public static List<String> rewriteValues(List<String> args, FlagSet flags, BiFunction<Flag, String, String> change) {
        List<String> out = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            out.add(arg);
            if (!arg.startsWith("--") || arg.length() == 2) {
                continue;
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            Flag flag = flags.find(name).orElse(null);
            boolean takesValue = flag != null ? flag.kind() != Flag.Kind.BOOLEAN
                    : WindowsExporterKeys.isOtherCollectorFlag(name) && !WindowsExporterKeys.takesNoValue(name);
            if (!takesValue) {
                continue;
            }
            if (eq >= 0) {
                if (flag != null) {
                    out.set(out.size() - 1, "--" + name + "=" + change.apply(flag, body.substring(eq + 1)));
                }
            } else if (i + 1 < args.size()) {
                String value = args.get(++i);
                out.add(flag != null ? change.apply(flag, value) : value);
            }
        }
        return out;
    }

    /**
     * A flag of another windows_exporter collector ({@code --collector.service.include=x}): taken
     * with its value as windows_exporter takes it and noted to be ignored; a flag windows_exporter
     * does not have is an error.
     *
     * @return the index of the last argument used
     */
    private static int otherCollectorFlag(List<String> args, int i, String name, String inline, List<String> others)
            throws UsageException {
        boolean negated = inline == null && name.startsWith("no-") && WindowsExporterKeys.takesNoValue(name.substring(3));
        String real = negated ? name.substring(3) : name;
        if (!WindowsExporterKeys.isOtherCollectorFlag(real)) {
            throw new UsageException("unknown flag --" + printable(name) + " (see --help)");
        }
        if (inline == null && !WindowsExporterKeys.takesNoValue(real)) {
            if (i + 1 >= args.size()) {
                throw new UsageException("flag --" + real + " needs a value");
            }
            i++; // its value, which configures a collector leakwatch does not run: taken as it is
        }
        if (!others.contains("--" + real)) {
            others.add("--" + real);
        }
        return i;
    }

    private static void put(Map<String, Object> values, Flag flag, Object value) throws UsageException {
        if (flag.kind() == Flag.Kind.REPEATABLE) {
            @SuppressWarnings("unchecked")
            List<String> list = (List<String>) values.computeIfAbsent(flag.name(), k -> new ArrayList<String>());
            list.add((String) value);
            return;
        }
        if (values.containsKey(flag.name())) {
            throw new UsageException("flag --" + flag.name() + " given more than once");
        }
        values.put(flag.name(), value);
    }

    /** Keeps error lines on one line whatever the user typed. */
    public static String printable(String s) {
        return Printable.of(s);
    }
}
