package io.leakwatch;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Undoes java.exe's wildcard expansion of the application's arguments. On Windows the Java launcher
 * replaces an unquoted argument containing {@code *} or {@code ?} by the names of the files it
 * matches in the current folder (as a Unix shell would): typed unquoted in a folder holding
 * svchost.exe, {@code --collector.process.exclude svchost.*} reaches main() as {@code svchost.exe}.
 * leakwatch takes no file globs, so when the process's own command line shows such an argument,
 * its arguments are taken from that command line instead, split by the C runtime's rules.
 */
public final class LauncherWildcards {
    /** One argument of a Windows command line: its value and whether * or ? appeared unquoted in it. */
    record Token(String value, boolean unquotedWildcard) {
    }

    private LauncherWildcards() {
    }

    /** Not in jna-platform: the raw command line, as typed. Not to be freed. */
    interface CommandLineCall extends Library {
        Pointer GetCommandLineW();
    }

    /** On Windows, the arguments as typed; elsewhere, or when anything is unclear, {@code mainArgs} unchanged. */
    public static List<String> restore(List<String> mainArgs) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return mainArgs;
        }
        try {
            Pointer line = Native.load("kernel32", CommandLineCall.class).GetCommandLineW();
            return line == null ? mainArgs : restore(mainArgs, line.getWideString(0));
        } catch (RuntimeException | LinkageError e) {
            return mainArgs;
        }
    }

    /**
     * @param rawCommandLine the whole command line (java.exe, JVM options, -jar, the jar, the arguments)
     * @return the arguments after {@code -jar <jar>} as typed, when one had an unquoted wildcard and
     *         the others agree with {@code mainArgs}; otherwise {@code mainArgs}
     */
    static List<String> restore(List<String> mainArgs, String rawCommandLine) {
        List<Token> tokens = split(rawCommandLine);
        int jar = -1;
        for (int i = 1; i < tokens.size(); i++) {
            if (tokens.get(i).value().equals("-jar")) {
                jar = i;
                break;
            }
        }
        if (jar < 0 || jar + 1 >= tokens.size()) {
            return mainArgs;
        }
        List<Token> app = tokens.subList(jar + 2, tokens.size());
        if (app.stream().noneMatch(Token::unquotedWildcard)) {
            return mainArgs; // nothing was expanded
        }
        // The arguments without wildcards must be there, in order: else our reading of the line is off.
        int j = 0;
        for (Token t : app) {
            if (t.unquotedWildcard()) {
                continue;
            }
            while (j < mainArgs.size() && !mainArgs.get(j).equals(t.value())) {
                j++;
            }
            if (j == mainArgs.size()) {
                return mainArgs;
            }
            j++;
        }
        if (mainArgs.size() < app.size()) {
            return mainArgs; // an expansion never removes an argument
        }
        return app.stream().map(Token::value).toList();
    }

    /**
     * Splits a command line as the Microsoft C runtime does (the rules java.exe's launcher follows):
     * the program name up to the next space or closing quote, then 2n backslashes before a quote give
     * n backslashes and toggle quoting, 2n+1 give n and a literal quote, "" inside quotes is a quote.
     */
    static List<Token> split(String line) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        StringBuilder program = new StringBuilder();
        if (n > 0 && line.charAt(0) == '"') {
            i = 1;
            while (i < n && line.charAt(i) != '"') {
                program.append(line.charAt(i++));
            }
            i++;
        } else {
            while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
                program.append(line.charAt(i++));
            }
        }
        out.add(new Token(program.toString(), false));
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            StringBuilder arg = new StringBuilder();
            boolean quoted = false;
            boolean wildcard = false;
            while (i < n) {
                char c = line.charAt(i);
                if (!quoted && (c == ' ' || c == '\t')) {
                    break;
                }
                if (c == '\\') {
                    int slashes = 0;
                    while (i < n && line.charAt(i) == '\\') {
                        slashes++;
                        i++;
                    }
                    if (i < n && line.charAt(i) == '"') {
                        arg.append("\\".repeat(slashes / 2));
                        if (slashes % 2 == 1) {
                            arg.append('"');
                            i++;
                        }
                    } else {
                        arg.append("\\".repeat(slashes));
                    }
                    continue;
                }
                if (c == '"') {
                    if (quoted && i + 1 < n && line.charAt(i + 1) == '"') {
                        arg.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = !quoted;
                    i++;
                    continue;
                }
                if (!quoted && (c == '*' || c == '?')) {
                    wildcard = true;
                }
                arg.append(c);
                i++;
            }
            out.add(new Token(arg.toString(), wildcard));
        }
    }
}
