package io.leakwatch.guard;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the default redaction costs per command line (one op = one command line), on the hostile
 * 64 KiB shapes built against its rules and on a typical Java command line, with the launcher's
 * C1-only JIT. Run with {@code src/bench/jmh.sh CmdlineRedactorBenchmark}; docs/security.md has the figures.
 * {@code CmdlineRedactorTest} runs the same shapes once, for correctness, in the fast tier.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"})
public class CmdlineRedactorBenchmark {
    /** Inputs that made the old backtracking default run for minutes, and ones against each newer rule: at the 64 KiB read cap. */
    static final Map<String, String> SHAPES = shapes(CmdlineRedactor.MAX_INPUT_CHARS);

    private static Map<String, String> shapes(int n) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("a-run", "a".repeat(n));
        s.put("dash-run", "-".repeat(n));
        s.put("password-run", "password".repeat(n / 8));
        s.put("password-far-apart", ("x".repeat(4000) + "password").repeat(n / 4008));
        s.put("password=-run", "password=".repeat(n / 9));
        s.put("a:-run", "a:".repeat(n / 2));
        s.put("url-userinfo", "https://" + "a:".repeat(n / 2 - 8));
        s.put("mysql-dashes", "mysql " + " -".repeat(n / 2 - 3));
        s.put("bearer-run", ("Bearer " + "A".repeat(100)).repeat(n / 107));
        // against the rules for -u/-p pairs, --pass and friends, redis-cli -a, ldap -w and user/password@db
        s.put("-u-run", "-u ".repeat(n / 3));
        s.put("-p-run", " -p x".repeat(n / 5));
        s.put("-u-then-p-run", "-u a " + " -p 1".repeat(n / 5 - 1));
        s.put("--pass-run", "--pass".repeat(n / 6));
        s.put("oracle-run", "a/b@".repeat(n / 4));
        s.put("slash-run", "x/".repeat(n / 2));
        s.put("redis-cli-run", "redis-cli " + " -x".repeat(n / 3 - 4));
        s.put("ldapsearch-run", "ldapsearch " + " -x".repeat(n / 3 - 4));
        s.put("openssl-pass-run", "-pass pass:".repeat(n / 11));
        s.put("--user-run", "--user a:".repeat(n / 9));
        s.put("typical-java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xms8m -Xmx64m -XX:+UseSerialGC "
                + "-XX:TieredStopAtLevel=1 -Djava.awt.headless=true -cp /opt/leakwatch/lib/leakwatch.jar io.leakwatch.Main "
                + "--web.listen-address=:9182 --collector.process.include=java --log.level=info");
        return s;
    }

    @Param({"a-run", "dash-run", "password-run", "password-far-apart", "password=-run", "a:-run", "url-userinfo",
            "mysql-dashes", "bearer-run", "-u-run", "-p-run", "-u-then-p-run", "--pass-run", "oracle-run", "slash-run",
            "redis-cli-run", "ldapsearch-run", "openssl-pass-run", "--user-run", "typical-java"})
    public String shape;

    private final CmdlineRedactor redactor = CmdlineRedactor.of(GuardSettings.DEFAULT_REDACT_REGEX);
    private String text;

    @Setup
    public void pick() {
        text = SHAPES.get(shape);
    }

    @Benchmark
    public String redact() {
        return redactor.redact(text);
    }
}
