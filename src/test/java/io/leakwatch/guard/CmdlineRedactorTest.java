package io.leakwatch.guard;

import io.leakwatch.config.GuardSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CmdlineRedactorTest {
    private final CmdlineRedactor redactor = CmdlineRedactor.of(GuardSettings.DEFAULT_REDACT_REGEX);

    private void redacts(String in, String out) {
        assertEquals(out, redactor.redact(in), in);
    }

    @Test
    void defaultHidesCommonSecretShapes() {
        redacts("mysqld --user=mysql --password=hunter2 --port=3306", "mysqld --user=mysql --password=*** --port=3306");
        redacts("app password=abc123", "app password=***");
        redacts("app PASSWORD=abc123 -v", "app PASSWORD=*** -v");
        redacts("vault --token s.XYZ123 --addr x", "vault --token *** --addr x");
        redacts("agent --token=s.XYZ123", "agent --token=***");
        redacts("svc --client-secret=sh! --x", "svc --client-secret=*** --x");
        redacts("svc AWS_SECRET_ACCESS_KEY=abc/def", "svc AWS_SECRET_ACCESS_KEY=***");
        redacts("curl --apikey K1 -H x", "curl --apikey *** -H x");
        redacts("curl --api-key=K1", "curl --api-key=***");
        redacts("tool api_key:K2", "tool api_key:***");
        redacts("psql postgres://admin:pa55w0rd@db:5432/app", "psql postgres://admin:***@db:5432/app");
        redacts("git clone https://bob:ghp_tok3n@github.example/x.git", "git clone https://bob:***@github.example/x.git");
        redacts("java -Ddb.pwd=x -jar app.jar", "java -Ddb.pwd=*** -jar app.jar");
        redacts("svc --db-password hunter2 --db-token=t", "svc --db-password *** --db-token=***");
    }

    @Test
    void defaultLeavesOrdinaryCommandLinesAlone() {
        for (String plain : new String[]{"/usr/sbin/sshd -D", "nginx: worker process", "/usr/bin/python3 /opt/app/secrets/run.py --verbose",
                "java -jar leakwatch.jar --collector.process.include=firefox.+", "https://example.com/path@x", "sleep 1000",
                "--no-token-check --verbose", ""}) {
            redacts(plain, plain);
        }
    }

    @Test
    void customRegexGroupsAndWholeMatch() {
        assertEquals("run -k ***", CmdlineRedactor.of("(?:-k )(\\S+)").redact("run -k abc"));
        assertEquals("run ***", CmdlineRedactor.of("-k \\S+").redact("run -k abc"), "no group: whole match");
        assertEquals("a b", CmdlineRedactor.of("").redact("a b"), "empty regex: off");
        assertEquals("x=*** y=***", CmdlineRedactor.of("\\w=(\\w+)").redact("x=1 y=22"));
        assertEquals("***", CmdlineRedactor.of("(a(b))").redact("ab"), "nested groups are masked once");
    }
}
