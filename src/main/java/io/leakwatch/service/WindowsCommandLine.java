package io.leakwatch.service;

import java.util.List;

/**
 * Builds a Windows command line that the C runtime (java.exe's argv parsing, CommandLineToArgvW)
 * splits back into exactly the given arguments: the service's binary path is one string, and a
 * flag like {@code --collector.process.include="firefox .+"} must survive it unchanged.
 *
 * <p>An argument with {@code *} or {@code ?} is quoted too: java.exe expands unquoted wildcards
 * in the application's arguments against its working directory, which for a service is
 * C:\Windows\System32, so an unquoted {@code svchost.*} would arrive as {@code svchost.exe}.
 */
public final class WindowsCommandLine {
    private WindowsCommandLine() {
    }

    /** Program path first (quoted, never escaped: Windows reads it up to the next quote), then the arguments. */
    public static String of(String program, List<String> arguments) {
        if (program.indexOf('"') >= 0) {
            throw new IllegalArgumentException("a program path cannot contain a double quote: " + program);
        }
        StringBuilder out = new StringBuilder().append('"').append(program).append('"');
        for (String argument : arguments) {
            out.append(' ').append(quote(argument));
        }
        return out.toString();
    }

    /** One argument, quoted only when needed; backslashes are doubled only where they precede a quote. */
    public static String quote(String argument) {
        if (!argument.isEmpty() && argument.chars().noneMatch(
                c -> c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '"' || c == '*' || c == '?')) {
            return argument;
        }
        StringBuilder out = new StringBuilder("\"");
        int backslashes = 0;
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == '"') {
                out.append("\\".repeat(2 * backslashes + 1)).append('"');
            } else {
                out.append("\\".repeat(backslashes)).append(c);
            }
            backslashes = 0;
        }
        out.append("\\".repeat(2 * backslashes)).append('"');
        return out.toString();
    }

    /** One argument of a Windows command line: its value and whether * or ? appeared unquoted in it. */
    public record Token(String value, boolean unquotedWildcard) {
    }

    /** The arguments {@link #tokens} finds, values only. */
    public static List<String> split(String line) {
        return tokens(line).stream().map(Token::value).toList();
    }

    /**
     * Splits a command line as the Microsoft C runtime builds argv (java.exe's own rules): the
     * program up to its closing quote (or the first space); then 2n backslashes and a quote are n
     * backslashes and a quote that opens or closes quoting, 2n+1 backslashes and a quote are n
     * backslashes and a literal quote, "" inside quotes is a literal quote, other backslashes are literal.
     */
    public static List<Token> tokens(String line) {
        List<Token> out = new java.util.ArrayList<>();
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
                    int backslashes = 0;
                    while (i < n && line.charAt(i) == '\\') {
                        backslashes++;
                        i++;
                    }
                    if (i < n && line.charAt(i) == '"') {
                        arg.append("\\".repeat(backslashes / 2));
                        if (backslashes % 2 == 1) {
                            arg.append('"');
                            i++;
                        }
                    } else {
                        arg.append("\\".repeat(backslashes));
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
