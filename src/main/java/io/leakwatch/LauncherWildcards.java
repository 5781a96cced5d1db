package io.leakwatch;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.leakwatch.service.WindowsCommandLine;
import io.leakwatch.service.WindowsCommandLine.Token;

import java.util.List;
import java.util.Locale;

/**
 * Undoes java.exe's wildcard expansion of the application's arguments. On Windows the Java launcher
 * replaces an unquoted argument containing {@code *} or {@code ?} by the names of the files it
 * matches in the current folder (as a Unix shell would): typed unquoted in a folder holding
 * svchost.exe, {@code --collector.process.exclude svchost.*} reaches main() as {@code svchost.exe}.
 * leakwatch takes no file globs, so when the process's own command line shows such an argument,
 * its arguments are taken from that command line instead, split by the C runtime's rules
 * ({@link WindowsCommandLine#tokens}, which also reads back the service's registered command).
 */
public final class LauncherWildcards {
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
        List<Token> tokens = WindowsCommandLine.tokens(rawCommandLine);
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
}
