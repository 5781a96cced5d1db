package io.leakwatch.common;

import com.google.re2j.PatternSyntaxException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoRegexTest {
    @Test
    void nestedRepetitionsAsGoCountsThem() {
        // Go accepts these (at most 1,000 copies) ...
        for (String ok : new String[]{"(a{100}){10}", "((a{10}){10}){10}", "a{1000}", "(a{2,}){500}", "(a{0}){1000}(b{1000})",
                "(a*){1000}", ".+", "firefox.+|chrome", "(?i)[[:alpha:]]{1,1000}"}) {
            assertDoesNotThrow(() -> GoRegex.compile(ok), ok);
        }
        // ... and refuses these with "invalid repeat count"
        for (String bad : new String[]{"(a{1000}){1000}", "(a{100}){100}", "((a{10}){10}){11}", "(a{2,}){501}", "(?:(?:x{2}){2}){251}"}) {
            PatternSyntaxException e = assertThrows(PatternSyntaxException.class, () -> GoRegex.compile(bad), bad);
            assertTrue(e.getDescription().startsWith("invalid repeat count"), e.getDescription());
        }
    }

    @Test
    void programsTooLargeForTheHeapAreRefused() {
        String big = "(" + "abcdefghij".repeat(100) + "){1000}"; // 1,000 runes x 1,000 copies
        PatternSyntaxException e = assertThrows(PatternSyntaxException.class, () -> GoRegex.compile(big));
        assertTrue(e.getDescription().startsWith("expression too large"), e.getDescription());
        StringBuilder names = new StringBuilder("(?:y");
        for (int i = 0; i < 3000; i++) {
            names.append(String.format("|%08x-process-name", i * 0x9E3779B1)); // distinct: RE2 merges common prefixes
        }
        String alternatives = names.append(')').toString(); // a 66 KiB list of 3,000 names
        assertThrows(PatternSyntaxException.class, () -> GoRegex.compile(alternatives));
        // distinct names: 500 copies of one name would merge into one and pass under a limit far too tight
        StringBuilder list = new StringBuilder("(?:");
        for (int i = 0; i < 500; i++) {
            list.append(i == 0 ? "" : "|").append(String.format("%03x-process-name", i * 0x9E3779B1 & 0xfff));
        }
        String realistic = list.append(')').toString();
        assertDoesNotThrow(() -> GoRegex.compile(realistic), "500 distinct names of 16 characters");
    }

    @Test
    void anUnmatchedClosingParenthesisIsNamedAsGoNamesIt() {
        for (String bad : new String[]{"a)|(b", ")", "(a))"}) {
            PatternSyntaxException e = assertThrows(PatternSyntaxException.class, () -> GoRegex.compile(bad), bad);
            assertTrue(e.getDescription().equals("unexpected )"), "not RE2/J's 'internal error': " + e.getDescription());
        }
        assertDoesNotThrow(() -> GoRegex.compile("^(?:a)|(b)$"), "inside windows_exporter's wrapper it is fine");
    }

    @Test
    void syntaxErrorsAreRe2jsOwn() {
        PatternSyntaxException e = assertThrows(PatternSyntaxException.class, () -> GoRegex.compile("(?!x)"));
        assertTrue(e.getDescription().contains("invalid or unsupported Perl syntax"), e.getDescription());
    }
}
