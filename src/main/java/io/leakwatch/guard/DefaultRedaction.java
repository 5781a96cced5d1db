package io.leakwatch.guard;

import java.util.List;

/**
 * The default of --collector.process.cmdline-redact: RE2 rules (linear time) whose capturing
 * groups are the secrets. {@link #REGEX} is all of them as one case-insensitive regex, which is
 * what a user sees and can extend; leakwatch runs the default as the separate {@link #RULES}
 * instead, each starting at its leading keyword (found by a plain text search over the ASCII
 * lower-cased command line), which is the same matching at a fraction of the cost.
 * <ol>
 * <li>a value after a key naming a password, passphrase, token, secret, API or access key,
 * private key, credential or auth ({@code key=v}, {@code key: v}, {@code "key":"v"}, {@code --key v});
 * after {@code =} or {@code :} anything, even a value starting with {@code -}; after a space only
 * a value that does not look like the next flag. A quoted value is hidden whole, and an HTTP
 * authentication scheme word before the value (Bearer, Basic, ...) stays visible;</li>
 * <li>the password of {@code scheme://user:password@host}, up to the last {@code @} of the word,
 * so a password holding {@code @} or {@code /} is hidden whole;</li>
 * <li>{@code Bearer} and {@code Basic} credentials anywhere;</li>
 * <li>{@code sshpass -p password} and {@code -ppassword};</li>
 * <li>{@code -ppassword} on a mysql/mariadb client command line.</li>
 * </ol>
 */
public final class DefaultRedaction {
    private static final String KEY_TAIL = "[\\w.-]*[\"']?";
    private static final String SCHEME = "(?:(?:bearer|basic|digest|negotiate|token)\\s+)?";
    private static final String QUOTED = "\"((?:[^\"\\\\]|\\\\.)*)\"|'([^']*)'";
    private static final String VALUE = "(?:\\s*[=:]\\s*" + SCHEME + "(?:" + QUOTED + "|(\\S+))"
            + "|\\s+" + SCHEME + "(?:" + QUOTED + "|([^-\\s\"']\\S*)))";

    /**
     * Each begins with a lower-case letter or ':' shared by its alternatives and matches
     * lower-cased text; one rule per first character keeps the work on a run of that character
     * to one pass.
     */
    public static final List<String> RULES = List.of(
            "p(?:assw(?:or)?d|assphrase|wd|rivate[_-]?key)" + KEY_TAIL + VALUE,
            "a(?:pi[_-]?key|ccess[_-]?key|uth)" + KEY_TAIL + VALUE,
            "secret" + KEY_TAIL + VALUE + "|sshpass\\s(?:[^|;&\\n]*?\\s)?-p\\s*(\\S+)",
            "token" + KEY_TAIL + VALUE,
            "credential" + KEY_TAIL + VALUE,
            "://[^\\s/@:]*:(\\S+)@",
            "b(?:earer|asic)\\s+([a-z0-9._~+/=-]{8,})",
            "m(?:ysql|ariadb)\\w*\\s(?:[^|;&\\n]*?\\s)?-p([^\\s-]\\S*)");

    /** The rules as one regex: the flag's default value. */
    public static final String REGEX = "(?i)" + String.join("|", RULES);

    private DefaultRedaction() {
    }
}
