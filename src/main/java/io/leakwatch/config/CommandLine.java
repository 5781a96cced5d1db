package io.leakwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses kingpin-style flags as windows_exporter takes them: {@code --a.b=v}, {@code --a.b v},
 * {@code --flag} / {@code --no-flag} for booleans, {@code -h/--help}, {@code --version}.
 *
 * @param values  flag name -> String, Boolean or List of String
 * @param action  what the user asked for
 */
public record CommandLine(Map<String, Object> values, Action action) {
    public enum Action { RUN, HELP, VERSION }

    public static CommandLine parse(List<String> args) throws UsageException {
        Map<String, Object> values = new LinkedHashMap<>();
        Action action = Action.RUN;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
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

            Flag flag = Flags.find(name).orElse(null);
            if (flag == null && name.startsWith("no-") && inline == null) {
                Flag negated = Flags.find(name.substring(3)).orElse(null);
                if (negated != null && negated.kind() == Flag.Kind.BOOLEAN) {
                    put(values, negated, Boolean.FALSE);
                    continue;
                }
            }
            if (flag == null) {
                throw new UsageException("unknown flag --" + printable(name) + " (see --help)");
            }
            switch (flag.kind()) {
                case BOOLEAN -> put(values, flag, inline == null || ConfigValues.parseBoolean(flag.name(), inline));
                case STRING, REPEATABLE -> {
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
        return new CommandLine(values, action);
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
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
