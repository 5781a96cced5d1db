package io.leakwatch.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Selection in Go's RE2 dialect, as windows_exporter compiles it ({@code ^(?:RE)$}). Every expected
 * result below follows RE2's documented syntax (github.com/google/re2/wiki/Syntax) and Go's
 * regexp/syntax package; none was taken from running the matcher under test.
 */
class ProcessFilterRe2CorpusTest {

    /** include regex, process name, selected? (exclude left at its default). */
    private static final Object[][] SELECTS = {
            // POSIX classes, which java.util.regex reads as a plain bracket class
            {"[[:alpha:]]+", "firefox", true},
            {"[[:alpha:]]+", "firefox2", false},
            {"[[:digit:]]+", "1234", true},
            {"[[:^alpha:]]+", "1234", true},
            {"[[:^alpha:]]+", "abc", false},
            {"[[:word:]]+", "my_app1", true},
            {"[[:upper:]][[:lower:]]+", "Chrome", true},
            {"[[:upper:]][[:lower:]]+", "chrome", false},
            {"[[:xdigit:]]+", "dead01", true},
            {"[[:alpha:][:digit:]]+", "a1b2", true},
            {"svc[[:punct:]]host", "svc-host", true},
            // named groups: Go's (?P<name>) and, since Go 1.22, (?<name>)
            {"(?P<browser>fire)fox", "firefox", true},
            {"(?<browser>fire)fox", "firefox", true},
            // Unicode classes
            {"\\pL+", "Ωmega", true},
            {"\\pL+", "abc1", false},
            {"\\p{L}+", "记录器", true},
            {"\\p{Greek}+", "αβγ", true},
            {"\\p{Greek}+", "abc", false},
            {"\\p{^Greek}+", "abc", true},
            {"\\PL+", "123", true},
            {"\\pN", "٣", true},
            {"[\\p{Lu}]+", "ABC", true},
            {"\\x{263a}", "☺", true},
            // Perl classes are ASCII-only in RE2
            {"\\d+", "123", true},
            {"\\d+", "١٢٣", false},
            {"\\w+", "é", false},
            {"\\s", " ", true},
            // flags
            {"(?i)FIREFOX", "firefox", true},
            {"FIREFOX", "firefox", false},
            {"(?i)k", "\u212a", true},          // Kelvin sign folds to k
            {"(?i)σ", "ς", true},               // Unicode simple folding orbit
            {"(?i)straße", "STRASSE", false},   // no multi-character folding
            {"(?U)a+", "aaa", true},
            // "." and newlines: Go's "." stops at \n unless (?s); leakwatch's include lets it pass (see below)
            {"(?s).+", "a\nb", true},
            {"(?s:.)+", "a\nb", true},
            {"[^a]+", "x\ny", true},            // a negated class does match \n
            {"(?m)a$\\n^b", "a\nb", true},
            {"a$\\n^b", "a\nb", false},
            // "$" is the end of the name, not "before a final newline" as in java.util.regex
            {"abc", "abc\n", false},
            {"abc\\z", "abc", true},
            // literal text
            {"\\Qa.b\\E", "a.b", true},
            {"\\Qa.b\\E", "axb", false},
            {"\\141", "a", true},               // octal escape
            {"a{2,3}", "aaa", true},
            {"a{2,3}", "aaaa", false},
            // full match: the wrapper anchors both ends
            {"fire", "firefox", false},
            {"fox|fire", "firefox", false},
            {"fire.*", "firefox", true},
            // windows_exporter pastes the expression into ^(?:...)$ as text, so a ")" in it
            // closes the wrapper's group: "a)|(b" means "starts with a, or ends with b"
            {"a)|(b", "abc", true},
            {"a)|(b", "xyb", true},
            {"a)|(b", "xa", false},
    };

    /** Expressions RE2 refuses (Perl features with no linear-time match, and malformed syntax). */
    private static final String[] REFUSED = {
            "(a)\\1",          // backreference
            "(?=a)a",          // lookahead
            "(?!a)b",          // negative lookahead
            "(?<=a)b",         // lookbehind
            "(?>a)",           // atomic group
            "a*+",             // possessive
            "a{1001}",         // repeat count over 1000
            "abc\\Z",          // \Z is not RE2
            "\\C",             // Go has no \C
            "\\8",
            "\\h", "\\e", "\\cA", "\\N{DIGIT ONE}",
            "\\p{Foo}",
            "[[:foo:]]",
            "(?P<>a)",
            "(?P<n>a)(?P<n>b)", // duplicate group name
            "[z-a]",
            "**",
            "x{2}{3}",
            "(",
            "[a",
    };

    @Test
    void selectionFollowsRe2Semantics() {
        List<String> wrong = new ArrayList<>();
        for (Object[] c : SELECTS) {
            String include = (String) c[0];
            String name = (String) c[1];
            boolean expected = (Boolean) c[2];
            if (ProcessFilter.of(include, "").selects(name) != expected) {
                wrong.add(include + " on " + name.replace("\n", "\\n") + " should be " + expected);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void re2RefusesWhatItCannotMatchInLinearTime() {
        List<String> accepted = new ArrayList<>();
        for (String regex : REFUSED) {
            try {
                ProcessFilter.of(regex, "");
                accepted.add(regex);
            } catch (ProcessFilter.InvalidRegexException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getMessage().startsWith("--collector.process.include: invalid regex"), e.getMessage());
            }
        }
        assertEquals(List.of(), accepted);
    }

    @Test
    void excludeErrorsNameTheExcludeFlag() {
        ProcessFilter.InvalidRegexException e = assertThrows(ProcessFilter.InvalidRegexException.class,
                () -> ProcessFilter.of(".+", "(?<=x)y"));
        assertTrue(e.getMessage().startsWith("--collector.process.exclude: invalid regex"), e.getMessage());
        assertTrue(e.getMessage().contains("(?<=x)y"), e.getMessage());
    }

    @Test
    void excludeIsApplied() {
        ProcessFilter f = ProcessFilter.of("fire.*", "firefox-bin");
        assertTrue(f.selects("firefox"));
        assertFalse(f.selects("firefox-bin"));
    }

    /**
     * Where Go's rules would only hide a process, leakwatch selects it. windows_exporter's default
     * include ^(?:.+)$ misses a name with a newline (Go's "." stops at one) and the empty name, and
     * its empty exclude ^(?:)$ would exclude the empty name anyway. A Linux process sets its name
     * (prctl) to any bytes, a newline or nothing included.
     */
    @Test
    void noProcessHidesFromTheIncludeByTheBytesOfItsName() {
        ProcessFilter defaults = ProcessFilter.of(ProcessFilter.EVERY_NAME, "");
        for (String name : List.of("firefox", "", "a\nb", "\n", "evil\n", "\r\n\t", "\u0000", "x\u2028y")) {
            assertTrue(defaults.selects(name), "default include and exclude select " + name.replace("\n", "\\n"));
        }
        assertTrue(defaults.selectsAll());
        // "." in an include also spans a newline: a name cannot slip out of "myservice.*"
        assertTrue(ProcessFilter.of("myservice.*", "").selects("myservice\nx"));
        assertTrue(ProcessFilter.of(".+", "").selects("a\nb"));
        assertTrue(ProcessFilter.of(".*", "").selects(""));
        // an empty exclude excludes nothing
        assertTrue(ProcessFilter.of(".*", "").selects(""));
        assertFalse(ProcessFilter.of("fire.*", "").selectsAll());
        // a non-empty exclude keeps Go's rules, so it hides no more than windows_exporter's:
        // "x.*" does not exclude "x\ny", which windows_exporter would not have excluded either
        ProcessFilter excluding = ProcessFilter.of(".+", "x.*");
        assertFalse(excluding.selects("xy"));
        assertTrue(excluding.selects("x\ny"));
        assertFalse(excluding.selectsAll());
        // "$" still ends the name: "abc" does not select "abc\n"
        assertFalse(ProcessFilter.of("abc", "").selects("abc\n"));
    }

    @Test
    void rememberedDecisionsStayRightPastTheCacheBound() {
        ProcessFilter f = ProcessFilter.of("p[[:digit:]]*[02468]", "p1.*");
        for (int round = 0; round < 2; round++) { // the second round answers from the cache where it can
            for (int i = 0; i < 40_000; i++) {
                String name = "p" + i;
                boolean expected = i % 2 == 0 && !Integer.toString(i).startsWith("1");
                assertEquals(expected, f.selects(name), name);
            }
        }
        String longName = "p" + "2".repeat(5_000);
        assertTrue(f.selects(longName), "names too long to remember are still decided");
    }

    @Test
    void catastrophicPatternsForBacktrackersRunInLinearTime() {
        // (a+)+$ and (a|aa)*c take exponential time in a backtracking matcher on "aaaa…b"
        String name = "a".repeat(50_000) + "b";
        ProcessFilter nested = ProcessFilter.of("(a+)+", "");
        ProcessFilter alternation = ProcessFilter.of("(a|aa)*c", "(x+x+)+y");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(nested.selects(name));
            assertFalse(alternation.selects(name));
        });
    }
}
