package io.leakwatch.common;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Compiles a regex in Go's dialect (RE2/J) within Go's limits, checked on RE2/J's own parse tree
 * before the tree is expanded into a program. RE2/J checks each repeat count ({@code {n}} up to
 * 1,000) but not their product: {@code (a{1000}){1000}} expands to a million instructions and
 * runs a small heap out of memory. Go's regexp refuses it ("invalid repeat count", nested repeats
 * expand to at most 1,000 copies), and so does this. It also refuses a program larger than
 * {@link #MAX_PROGRAM_SIZE} instructions, Go's size estimate; Go allows 3.3 million, a size meant
 * for Go's compact program, where RE2/J needs about 100 bytes an instruction and leakwatch runs in
 * a 64 MB heap. Stateless and thread-safe.
 *
 * <p>RE2/J exposes neither its parser nor its tree, so they are reached through their
 * package-private members (read-only); a change of RE2/J that moves them fails the tests, not a
 * user's start.
 */
public final class GoRegex {
    /** Go's maxRepeat-style limit on nested repetition: the copies a repeat may expand to. */
    public static final int MAX_REPEAT_COPIES = 1000;
    /** The largest program accepted, in instructions: about 5 MB for RE2/J. */
    public static final long MAX_PROGRAM_SIZE = 50_000;

    private static final MethodHandle PARSE;
    private static final int PERL_FLAGS;
    private static final VarHandle OP;
    private static final VarHandle SUBS;
    private static final VarHandle RUNES;
    private static final VarHandle MIN;
    private static final VarHandle MAX;

    static {
        try {
            Class<?> parser = Class.forName("com.google.re2j.Parser");
            Class<?> regexp = Class.forName("com.google.re2j.Regexp");
            Class<?> re2 = Class.forName("com.google.re2j.RE2");
            MethodHandles.Lookup inParser = MethodHandles.privateLookupIn(parser, MethodHandles.lookup());
            PARSE = inParser.findStatic(parser, "parse", java.lang.invoke.MethodType.methodType(regexp, String.class, int.class));
            PERL_FLAGS = (int) MethodHandles.privateLookupIn(re2, MethodHandles.lookup()).findStaticVarHandle(re2, "PERL", int.class).get();
            MethodHandles.Lookup inRegexp = MethodHandles.privateLookupIn(regexp, MethodHandles.lookup());
            Class<?> opClass = Class.forName("com.google.re2j.Regexp$Op");
            OP = inRegexp.findVarHandle(regexp, "op", opClass);
            SUBS = inRegexp.findVarHandle(regexp, "subs", regexp.arrayType());
            RUNES = inRegexp.findVarHandle(regexp, "runes", int[].class);
            MIN = inRegexp.findVarHandle(regexp, "min", int.class);
            MAX = inRegexp.findVarHandle(regexp, "max", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private GoRegex() {
    }

    /**
     * @throws PatternSyntaxException RE2/J's reason, or "unexpected )", "invalid repeat count" and
     *                                "expression too large" as Go says them
     */
    public static Pattern compile(String regex) {
        check(regex);
        return Pattern.compile(regex);
    }

    /** Parses (without expanding) and checks the limits; a syntax error is RE2/J's, in Go's words where they differ. */
    public static void check(String regex) {
        Object tree;
        try {
            tree = PARSE.invoke(regex, PERL_FLAGS);
        } catch (PatternSyntaxException e) {
            // RE2/J's word for a ')' without its '(' ("stack underflow"); Go says what it is
            throw e.getDescription().equals("regexp/syntax: internal error") ? new PatternSyntaxException("unexpected )", regex) : e;
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("RE2/J parser: " + e, e);
        }
        if (!repeatIsValid(tree, MAX_REPEAT_COPIES)) {
            throw new PatternSyntaxException("invalid repeat count: nested repetitions expand to more than "
                    + MAX_REPEAT_COPIES + " copies, which Go refuses", regex);
        }
        if (size(tree) > MAX_PROGRAM_SIZE) {
            throw new PatternSyntaxException("expression too large: more than " + MAX_PROGRAM_SIZE
                    + " instructions once repetitions are expanded", regex);
        }
    }

    /** Go's regexp/syntax repeatIsValid: a repeat and those inside it expand to at most n copies. */
    private static boolean repeatIsValid(Object re, int n) {
        if (op(re).equals("REPEAT")) {
            int m = (int) MAX.get(re);
            if (m == 0) {
                return true;
            }
            if (m < 0) {
                m = (int) MIN.get(re);
            }
            if (m > n) {
                return false;
            }
            if (m > 0) {
                n /= m;
            }
        }
        for (Object sub : subs(re)) {
            if (!repeatIsValid(sub, n)) {
                return false;
            }
        }
        return true;
    }

    /** Go's regexp/syntax calcSize: the program's size in instructions, estimated on the tree (saturating). */
    private static long size(Object re) {
        long size = switch (op(re)) {
            case "LITERAL" -> ((int[]) RUNES.get(re)).length;
            case "CAPTURE", "STAR" -> 2 + size(subs(re)[0]);
            case "PLUS", "QUEST" -> 1 + size(subs(re)[0]);
            case "CONCAT" -> sum(subs(re));
            case "ALTERNATE" -> sum(subs(re)) + Math.max(0, subs(re).length - 1);
            case "REPEAT" -> {
                long sub = size(subs(re)[0]);
                int min = (int) MIN.get(re);
                int max = (int) MAX.get(re);
                if (max == -1) {
                    yield min == 0 ? 2 + sub : 1 + min * sub;
                }
                yield max * sub + (max - min);
            }
            default -> 1;
        };
        return Math.min(Math.max(1, size), MAX_PROGRAM_SIZE + 1); // at most 1,000 x 50,001: no overflow
    }

    private static long sum(Object[] subs) {
        long total = 0;
        for (Object sub : subs) {
            total = Math.min(total + size(sub), MAX_PROGRAM_SIZE + 1);
        }
        return total;
    }

    private static String op(Object re) {
        return ((Enum<?>) OP.get(re)).name();
    }

    private static Object[] subs(Object re) {
        Object[] subs = (Object[]) SUBS.get(re);
        return subs == null ? new Object[0] : subs;
    }
}
