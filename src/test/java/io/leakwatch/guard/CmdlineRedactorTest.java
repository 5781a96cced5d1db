package io.leakwatch.guard;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CmdlineRedactorTest {
    private final CmdlineRedactor redactor = CmdlineRedactor.of(GuardSettings.DEFAULT_REDACT_REGEX);

    /** The default as a user extends it ({@code --collector.process.cmdline-redact='mine|<the default>'}): one regex. */
    private static final CmdlineRedactor AS_ONE_REGEX = CmdlineRedactor.of(GuardSettings.DEFAULT_REDACT_REGEX + "|\\x00never");

    /** The default redacts {@code in} to {@code out}, and so does the default extended by a user. */
    private void redacts(String in, String out) {
        assertEquals(out, redactor.redact(in), in);
        assertEquals(out, AS_ONE_REGEX.redact(in), "the default extended by a user (one regex): " + in);
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

    /** The shapes a review found the first default missing, one per line of the corpus. */
    @Test
    void defaultHidesTheHostileCorpus() {
        List<String[]> corpus = List.of(
                // values that start with "-"
                new String[]{"app --password=-dashpw --v", "app --password=*** --v"},
                new String[]{"app --secret:-x-y-", "app --secret:***"},
                // JSON and YAML fragments
                new String[]{"run --config={\"password\":\"jsonpw\",\"user\":\"u\"}", "run --config={\"password\":\"***\",\"user\":\"u\"}"},
                new String[]{"run '{\"api_key\": \"k e y\"}'", "run '{\"api_key\": \"***\"}'"},
                new String[]{"run --set 'db: {password: yamlpw}'", "run --set 'db: {password: ***"},
                new String[]{"helm --set auth.password=hpw", "helm --set auth.password=***"},
                // URLs whose password holds @ or /
                new String[]{"sync https://user:p@ss@host/path", "sync https://user:***@host/path"},
                new String[]{"sync https://user:pa/ss@host/", "sync https://user:***@host/"},
                new String[]{"redis-cli -u redis://:rpw@cache:6379", "redis-cli -u redis://:***@cache:6379"},
                // Bearer and Basic headers
                new String[]{"curl -H 'Authorization: Bearer eyJhbGciOi.x.y' u", "curl -H 'Authorization: Bearer *** u"},
                new String[]{"curl -H \"Authorization: Basic dXNlcjpwdw==\" u", "curl -H \"Authorization: Basic *** u"},
                new String[]{"wget --header=Bearer abcdefgh12345678 u", "wget --header=Bearer *** u"},
                // sshpass, mysql -p<pw>, --auth, --private-key, --passphrase
                new String[]{"sshpass -p sshpw ssh host", "sshpass -p *** ssh host"},
                new String[]{"sshpass -v -psshpw ssh host", "sshpass -v -p*** ssh host"},
                new String[]{"mysql -u root -psqlpw9 db", "mysql -u root -p*** db"},
                new String[]{"mysqldump -h h -P 3306 -pdump db", "mysqldump -h h -P 3306 -p*** db"},
                new String[]{"proxy --auth=user:pw", "proxy --auth=***"},
                new String[]{"tool --private-key=/keys/id_ed25519", "tool --private-key=***"},
                new String[]{"gpg --passphrase=gpw --batch", "gpg --passphrase=*** --batch"},
                new String[]{"gpg --passphrase gpw --batch", "gpg --passphrase *** --batch"});
        for (String[] c : corpus) {
            redacts(c[0], c[1]);
        }
    }

    /** The second review's shapes: short keys, user:password, -p beside a user, redis-cli, LDAP, keytool, openssl, Oracle. */
    @Test
    void defaultHidesTheSecondCorpus() {
        List<String[]> corpus = List.of(
                // -p with a space, on a command line that names a user or logs in
                new String[]{"mongosh -u admin -p S3cr3t --host db", "mongosh -u admin -p *** --host db"},
                new String[]{"psexec \\\\host -u admin -p S3 cmd", "psexec \\\\host -u admin -p *** cmd"},
                new String[]{"sqlcmd -S db -U sa -P S3", "sqlcmd -S db -U sa -P ***"},
                new String[]{"tool -p S3 --user admin", "tool -p *** --user admin"},
                new String[]{"docker login -p S3 registry.example", "docker login -p *** registry.example"},
                new String[]{"rabbitmqadmin -u guest -p 12345678 list queues", "rabbitmqadmin -u guest -p *** list queues"},
                new String[]{"mosquitto_sub -u u -P 'p w' -t x", "mosquitto_sub -u u -P '***' -t x"},
                // short keys that must end there
                new String[]{"app --pass=S3 -v", "app --pass=*** -v"},
                new String[]{"app --pass S3 -v", "app --pass *** -v"},
                new String[]{"app --pw=S3", "app --pw=***"},
                new String[]{"app --db-pass S3 --db-host h", "app --db-pass *** --db-host h"},
                new String[]{"java -Ddb.pass=S3 -jar a.jar", "java -Ddb.pass=*** -jar a.jar"},
                new String[]{"env DB_PASS=S3 app", "env DB_PASS=*** app"},
                new String[]{"nslcd --bindpw S3", "nslcd --bindpw ***"},
                new String[]{"app --ldap-bind-pw=S3", "app --ldap-bind-pw=***"},
                new String[]{"plink -ssh -pw S3 host", "plink -ssh -pw *** host"},
                new String[]{"keytool -list -keystore k.jks -storepass S3", "keytool -list -keystore k.jks -storepass ***"},
                new String[]{"keytool -genkey -keypass S3 -srcstorepass S4", "keytool -genkey -keypass *** -srcstorepass ***"},
                new String[]{"openssl enc -aes256 -pass pass:S3 -in f", "openssl enc -aes256 -pass *** -in f"},
                new String[]{"openssl pkcs12 -passin pass:S3 -passout pass:S4", "openssl pkcs12 -passin *** -passout ***"},
                // user:password
                new String[]{"curl -u admin:S3 https://h/", "curl -u admin:*** https://h/"},
                new String[]{"curl --user admin:S3 https://h/", "curl --user admin:*** https://h/"},
                new String[]{"curl --user=admin:S3 https://h/", "curl --user=admin:*** https://h/"},
                new String[]{"curl -u 1000:S3cret https://h/", "curl -u 1000:*** https://h/"},
                // one program's own flag
                new String[]{"redis-cli -h cache -a S3 ping", "redis-cli -h cache -a *** ping"},
                new String[]{"redis-cli -a 'S 3' --no-auth-warning", "redis-cli -a '***' --no-auth-warning"},
                new String[]{"ldapsearch -x -D cn=admin,dc=x -w S3 -b dc=x", "ldapsearch -x -D cn=admin,dc=x -w *** -b dc=x"},
                // Oracle
                new String[]{"sqlplus scott/S3@orcl @run.sql", "sqlplus scott/***@orcl @run.sql"},
                new String[]{"sqlplus -s scott/S3", "sqlplus -s scott/***"},
                new String[]{"rman target sys/S3@prod catalog rcat/S4@cat", "rman target sys/***@prod catalog rcat/***@cat"},
                new String[]{"rman target sys/S3@prod auxiliary aux/S5@dup", "rman target sys/***@prod auxiliary aux/***@dup"},
                new String[]{"expdp system/S3@//db:1521/pdb directory=d", "expdp system/***@//db:1521/pdb directory=d"},
                new String[]{"sqlldr userid=scott/S3 control=x.ctl", "sqlldr userid=scott/*** control=x.ctl"},
                new String[]{"java -Durl=jdbc:oracle:thin:app/S3@db:1521/svc -jar a.jar",
                        "java -Durl=jdbc:oracle:thin:app/***@db:1521/svc -jar a.jar"});
        for (String[] c : corpus) {
            redacts(c[0], c[1]);
        }
    }

    /** Command lines close to the shapes above that hide nothing. */
    @Test
    void defaultLeavesLookAlikesAlone() {
        for (String plain : new String[]{"redis-server --port 6379", "redis-cli -p 6379 -n 1 info", "nc -l -p 8080",
                "docker run -p 8080:80 -u 1000:1000 nginx", "docker run -u 1000 -p 127.0.0.1:9182:9182 img",
                "docker run --user 0:0 -p [::1]:80:80 img", "psql -h db -U postgres -p 5432 app", "mkdir -p /var/run/app",
                "sudo -u postgres mkdir -p ./data", "docker compose -p myproject up", "java -p mods -m app/app.Main",
                "kubectl logs -p web-0", "cp -p a b", "gunicorn -p /run/app.pid app:app", "python3 -u app.py -p $PORT",
                "git push -u origin main", "rsync --passive-ftp src dst", "ftp --passive host", "app --bypass=proxy -v",
                "app --pass-through x", "app --compass-dir d", "my_passion=1", "ssh -p 22 user@host",
                "npx @angular/cli@17 serve", "ctr pull docker.io/library/nginx@sha256:0123abcd", "nginx/nginx@sha256:0123",
                "act --action actions/checkout@v4", "go run golang.org/x/tools/gopls@latest", "/usr/lib/node_modules/@scope/pkg/x.js",
                "sqlplus / as sysdba", "sqlplus /nolog", "ldapsearch -x -b dc=x", "redis-cli ping", "curl -u admin: https://h/",
                "curl -u admin https://h/", "openssl s_client -connect h:443", "uvicorn main:app --port 8000"}) {
            redacts(plain, plain);
        }
    }

    @Test
    void defaultLeavesOrdinaryCommandLinesAlone() {
        for (String plain : new String[]{"/usr/sbin/sshd -D", "nginx: worker process", "/usr/bin/python3 /opt/app/secrets/run.py --verbose",
                "java -jar leakwatch.jar --collector.process.include=firefox.+", "https://example.com/path@x", "sleep 1000",
                "--no-token-check --verbose", "mysql -p", "mysql -P 3306 db", "ssh -p 22 host", ""}) {
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

    @Test
    void backtrackingOnlySyntaxIsRefusedWithOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CmdlineRedactor.of("(?!x)a"));
        assertTrue(e.getMessage().startsWith("invalid regex: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void textBeyondTheCapIsCutNotExamined() {
        String longText = "x".repeat(CmdlineRedactor.MAX_INPUT_CHARS) + " --password=late";
        String out = redactor.redact(longText);
        assertEquals(CmdlineRedactor.MAX_INPUT_CHARS + CmdlineRedactor.CUT_MARKER.length(), out.length());
        assertFalse(out.contains("late"));
    }

    /**
     * The inputs that made the old backtracking default run for minutes (long runs of key
     * characters, separators and keywords, at the 64 KiB read cap), and ones against each newer
     * rule, redacted once each. Their cost is measured by {@code CmdlineRedactorBenchmark} (JMH),
     * not here; this bound only catches a regex engine that backtracks, which needs minutes where
     * RE2/J needs milliseconds.
     */
    @Test
    void hostileSixtyFourKibCommandLinesAreRedactedInLinearTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (Map.Entry<String, String> shape : CmdlineRedactorBenchmark.SHAPES.entrySet()) {
                String out = redactor.redact(shape.getValue());
                assertTrue(out.length() <= CmdlineRedactor.MAX_INPUT_CHARS + CmdlineRedactor.CUT_MARKER.length(), shape.getKey());
            }
        });
        assertEquals("password=***", redactor.redact("password=" + "password=".repeat(7000)).substring(0, 12),
                "a run of keys is still masked from its first value");
    }
}
