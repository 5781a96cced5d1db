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
}
