package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for the shell a person pastes them into: POSIX sh on Linux and other Unixes,
 * PowerShell on Windows. Every word that comes from the process (its name, paths made from it) is
 * quoted so that it stays one literal word whatever it contains: {@code l;touch${IFS}x;} is an
 * argument, never a command.
 */
enum Shell {
    /** POSIX sh (also bash, dash, zsh): single quotes, a quote written as '\''. */
    POSIX("sh"),
    /** PowerShell: single quotes, a quote (any of ' ‘ ’ ‚ ‛) doubled. */
    POWERSHELL("PowerShell");

    private final String label;

    Shell(String label) {
        this.label = label;
    }

    /** The shell's name for the page. */
    String label() {
        return label;
    }

    static Shell forOs(String osName) {
        return NextSteps.windows(osName) ? POWERSHELL : POSIX;
    }

    /** One word of a command line. */
    sealed interface Word permits Arg, Name, Glob, Op {
    }

    /** A literal argument of ours: quoted unless it is made of characters no shell treats specially. */
    record Arg(String text) implements Word {
    }

    /** A name or path that comes from the process: always quoted, so it can never become an option or syntax. */
    record Name(String text) implements Word {
    }

    /** An argument with '*' wildcards between literal parts (the parts are quoted, the wildcards are not). */
    record Glob(List<String> parts) implements Word {
    }

    /** Shell syntax written as is: a pipe, a redirection, a separator. */
    record Op(String text) implements Word {
    }

    /** A command line as words; {@link #render} quotes it for a shell. */
    record Line(List<Word> words) {
        static Line of(Object... words) {
            List<Word> out = new ArrayList<>(words.length);
            for (Object w : words) {
                out.add(w instanceof Word word ? word : new Arg(String.valueOf(w)));
            }
            return new Line(List.copyOf(out));
        }
    }

    static Name name(String text) {
        return new Name(text);
    }

    static Op op(String text) {
        return new Op(text);
    }

    static Glob glob(String... parts) {
        return new Glob(List.of(parts));
    }

    String render(Line line) {
        StringBuilder b = new StringBuilder();
        for (Word w : line.words()) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            if (w instanceof Arg a) {
                b.append(quote(a.text()));
            } else if (w instanceof Name n) {
                b.append(quoteAlways(n.text()));
            } else if (w instanceof Op o) {
                b.append(o.text());
            } else if (w instanceof Glob g) {
                for (int i = 0; i < g.parts().size(); i++) {
                    if (i > 0) {
                        b.append('*');
                    }
                    if (!g.parts().get(i).isEmpty()) {
                        b.append(quoteAlways(g.parts().get(i)));
                    }
                }
            }
        }
        return b.toString();
    }

    /** The word quoted when it needs to be; an empty word is '' . */
    String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(this::plain)) {
            return word;
        }
        return quoteAlways(word);
    }

    private String quoteAlways(String word) {
        StringBuilder b = new StringBuilder(word.length() + 2).append('\'');
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (this == POSIX) {
                b.append(c == '\'' ? "'\\''" : String.valueOf(c));
            } else {
                b.append(c);
                if (c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B') {
                    b.append(c); // doubled: PowerShell reads any of these as a quote
                }
            }
        }
        return b.append('\'').toString();
    }

    /** Characters that mean nothing to the shell inside a word (a comma makes an array in PowerShell). */
    private boolean plain(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/'
                || c == ':' || c == '=' || c == '+' || c == '-' || c == ',' && this == POSIX;
    }
}
