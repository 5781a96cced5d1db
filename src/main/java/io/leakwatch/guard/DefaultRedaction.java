package io.leakwatch.guard;

import java.util.List;

/**
 * The default of --collector.process.cmdline-redact: RE2 rules (linear time) whose capturing
 * groups are the secrets. {@link #REGEX} is all of them as one case-insensitive regex, which is
 * what a user sees and can extend; leakwatch runs the default as the separate {@link #RULES}
 * instead, over the ASCII lower-cased command line, most starting with a keyword RE2 finds by a
 * plain text search, which is the same matching at a fraction of the cost.
 * <ol>
 * <li>a value after a key naming a password, passphrase, pwd, token, secret, API or access key,
 * private key, credential or auth ({@code key=v}, {@code key: v}, {@code "key":"v"}, {@code --key v});
 * after {@code =} or {@code :} anything, even a value starting with {@code -}; after a space only
 * a value that does not look like the next flag. A quoted value is hidden whole, and an HTTP
 * authentication scheme word before the value (Bearer, Basic, ...) stays visible;</li>
 * <li>the same after a short key that must end there: {@code pass}, {@code pw} and their
 * compounds ({@code --pass}, {@code --db-pass}, {@code -Ddb.pass}, {@code DB_PASS}, {@code --pw},
 * {@code --bindpw}, {@code --ldap-bind-pw}, keytool's {@code -storepass}/{@code -keypass},
 * openssl's {@code -pass}/{@code -passin}/{@code -passout}), so {@code --passive} and
 * {@code --bypass} stay visible;</li>
 * <li>the password of {@code -u user:password} and {@code --user user:password} (curl), unless both
 * halves are numbers ({@code docker run -u 1000:1000});</li>
 * <li>{@code -p password} on a command line that names a user ({@code -u}, {@code --user},
 * {@code --username}) or logs in ({@code docker login}), unless the value looks like a port or a
 * port mapping (1 to 5 digits, {@code 8080:80}), a path or the next flag: {@code -p} alone is a
 * port, {@code mkdir -p} or a project name too often to hide;</li>
 * <li>the password of {@code scheme://user:password@host}, up to the last {@code @} of the word,
 * so a password holding {@code @} or {@code /} is hidden whole;</li>
 * <li>Oracle's {@code user/password@database} or {@code user/password} after its tools (sqlplus,
 * sqlldr, expdp, impdp, rman, dgmgrl), {@code userid=} and JDBC's {@code thin:} (elsewhere
 * {@code a/b@c} is too often a package or an image: {@code @scope/pkg@1.0}, {@code repo/img@sha256:...});</li>
 * <li>{@code Bearer} and {@code Basic} credentials anywhere;</li>
 * <li>{@code sshpass -p password}, redis-cli's {@code -a password}, the LDAP tools'
 * {@code -w password};</li>
 * <li>{@code -ppassword} on a mysql/mariadb client command line.</li>
 * </ol>
 */
public final class DefaultRedaction {
    /** Up to the end of this command in a shell line. */
    private static final String SAME_COMMAND = "[^|;&\\n]*?";
    private static final String KEY_TAIL = "[\\w.-]*[\"']?";
    private static final String SCHEME = "(?:(?:bearer|basic|digest|negotiate|token)\\s+)?";
    private static final String QUOTED = "\"((?:[^\"\\\\]|\\\\.)*)\"|'([^']*)'";
    private static final String VALUE = "(?:\\s*[=:]\\s*" + SCHEME + "(?:" + QUOTED + "|(\\S+))"
            + "|\\s+" + SCHEME + "(?:" + QUOTED + "|([^-\\s\"']\\S*)))";
    /** A value after a space that is not the next flag. */
    private static final String WORD = "(?:" + QUOTED + "|([^-\\s\"']\\S*))";
    /**
     * A -p value that is neither a port or port mapping (1 to 5 digits, then maybe ':', '/', '.' or
     * ','), nor a path or variable, nor the next flag.
     */
    private static final String NOT_A_PORT = "(?:" + QUOTED + "|([^-\\s\\d\"'\\[/.~$%]\\S*|\\d{6,}\\S*|\\d{1,5}[^\\d\\s:/.,]\\S*))";
    private static final String USER_FLAG = "-(?:u|-user(?:name)?)[\\s=]";
    /** Oracle's user/password: the password up to '@' (the database), a space or a quote. */
    private static final String ORACLE_USER = "[a-z_][\\w$#]*/([^\\s/@'\"]+)";
    /** After the tool's name: a word of its command line that is user/password. */
    private static final String ORACLE_LOGIN = "\\S*\\s(?:" + SAME_COMMAND + "\\s)?" + ORACLE_USER;

    /**
     * Each matches lower-cased text; most begin with a literal shared by their alternatives, which
     * RE2 skips to, and one rule per first character keeps the work on a run of it to one pass.
     */
    public static final List<String> RULES = List.of(
            "p(?:assw(?:or)?d|assphrase|wd|rivate[_-]?key)" + KEY_TAIL + VALUE,
            "a(?:pi[_-]?key|ccess[_-]?key|uth)" + KEY_TAIL + VALUE,
            "secret" + KEY_TAIL + VALUE + "|sshpass\\s(?:[^|;&\\n]*?\\s)?-p\\s*(\\S+)",
            "token" + KEY_TAIL + VALUE,
            "credential" + KEY_TAIL + VALUE,
            // flags: user:password (unless both are numbers), -p beside a user, short keys that end there
            "-(?:(?:u|-user)(?:\\s+|=)(?:[^\\s:]*[^\\s:\\d][^\\s:]*:([^/\\s]\\S*)|\\d*:(\\d*[^\\d\\s]\\S*))"
                    + "|(?:u|-user(?:name)?)[\\s=]" + SAME_COMMAND + "\\s-p\\s+" + NOT_A_PORT
                    + "|p\\s+" + NOT_A_PORT + SAME_COMMAND + "\\s" + USER_FLAG
                    + "|(?:[a-z0-9]+[-_.])*(?:(?:src|dest)?(?:store|key)?pass(?:in|out)?|(?:bind)?pw)[\"']?" + VALUE + ")",
            "_p(?:ass|w)[\"']?" + VALUE,
            "login\\s(?:" + SAME_COMMAND + "\\s)?-p\\s+" + NOT_A_PORT,
            "://[^\\s/@:]*:(\\S+)@",
            // Oracle's user/password[@database] after its tools, userid= and JDBC's thin:
            "sql(?:plus|ldr)" + ORACLE_LOGIN,
            "expdp" + ORACLE_LOGIN,
            "impdp" + ORACLE_LOGIN,
            "rman" + ORACLE_LOGIN,
            // rman's other logins (after its target), with their database
            "catalog\\s+" + ORACLE_USER + "@",
            "auxiliary\\s+" + ORACLE_USER + "@",
            "dgmgrl" + ORACLE_LOGIN,
            "userid=" + ORACLE_USER,
            "thin:" + ORACLE_USER,
            "b(?:earer|asic)\\s+([a-z0-9._~+/=-]{8,})",
            "redis-(?:cli|benchmark)\\S*\\s(?:" + SAME_COMMAND + "\\s)?-a\\s+" + WORD,
            "ldap\\w*\\s(?:" + SAME_COMMAND + "\\s)?-w\\s+" + WORD,
            "m(?:ysql|ariadb)\\w*\\s(?:[^|;&\\n]*?\\s)?-p([^\\s-]\\S*)");

    /** The rules as one regex: the flag's default value. */
    public static final String REGEX = "(?i)" + String.join("|", RULES);

    private DefaultRedaction() {
    }
}
