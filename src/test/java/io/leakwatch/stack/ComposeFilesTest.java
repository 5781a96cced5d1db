package io.leakwatch.stack;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/docker-compose*.yml without a Docker engine: the Compose Specification schema (python3-jsonschema,
 * schema vendored under src/test/resources/compose, see its README), then what the schema cannot know:
 * that the files, ports and paths they name fit the rest of the repository.
 */
@Tag("system")
class ComposeFilesTest {
    static final Path LINUX = StackFiles.DOCKER.resolve("docker-compose.yml");
    static final Path PRIVILEGED = StackFiles.DOCKER.resolve("docker-compose.privileged.yml");
    private static final Path SCHEMA = StackFiles.ROOT.resolve("src/test/resources/compose/compose_spec.json");
    private static final String VALIDATE = String.join("\n",
            "import json, sys, jsonschema",
            "schema = json.load(open(sys.argv[1]))",
            "doc = json.load(open(sys.argv[2]))",
            "errors = list(jsonschema.Draft201909Validator(schema).iter_errors(doc))",
            "for e in errors: print('/'.join(str(p) for p in e.absolute_path) or '(top)', '->', e.message)",
            "sys.exit(1 if errors else 0)");

    @TempDir
    Path work;

    @Test
    void composeFilesFollowTheComposeSpecification() throws IOException {
        List<Path> files = StackFiles.composeFiles();
        assertEquals(List.of(StackFiles.DOCKER.resolve("docker-compose.privileged.yml"), StackFiles.DOCKER.resolve("docker-compose.windows-host.yml"),
                StackFiles.DOCKER.resolve("docker-compose.yml")), files, "the Linux stack, its privileged variant and the Windows-host variant");
        for (Path file : files) {
            Path json = work.resolve(file.getFileName() + ".json");
            Files.writeString(json, StackFiles.JSON.writeValueAsString(StackFiles.yaml(file)));
            Command.Result r = Command.run(work, Duration.ofMinutes(1), "python3", "-c", VALIDATE, SCHEMA.toString(), json.toString());
            assertTrue(r.ok(), file.getFileName() + " against the Compose Specification:\n" + r.output());
        }
    }

    /** The schema must be able to say no, or the test above proves nothing. */
    @Test
    void theSchemaRejectsAMistake() throws IOException {
        Path json = work.resolve("bad.json");
        Files.writeString(json, "{\"services\": {\"x\": {\"image\": \"a\", \"network-mode\": \"host\", \"ports\": 9182}}}");
        Command.Result r = Command.run(work, Duration.ofMinutes(1), "python3", "-c", VALIDATE, SCHEMA.toString(), json.toString());
        assertFalse(r.ok(), r.output());
        assertTrue(r.output().contains("network-mode") && r.output().contains("ports"), r.output());
    }

    @Test
    void everyServiceFitsTheRepository() {
        List<String> problems = new ArrayList<>();
        problems.addAll(new ComposeFile(LINUX).problems());
        problems.addAll(new ComposeFile(StackFiles.DOCKER.resolve("docker-compose.windows-host.yml")).problems());
        problems.addAll(ComposeFile.merged(LINUX, PRIVILEGED).problems());
        assertEquals(List.of(), problems);
    }

    @Test
    void linuxStackReadsTheHostsProcessesWithLeastPrivilege() {
        ComposeFile compose = new ComposeFile(LINUX);
        Map<String, Object> leakwatch = compose.service("leakwatch");
        assertTrue(compose.volumes("leakwatch").contains("/proc:/host/proc:ro"), "host /proc read-only at /host/proc");
        assertFalse(leakwatch.containsKey("pid"), "the host's /proc is enough: no host PID namespace");
        assertFalse(leakwatch.containsKey("user"), "the image's own non-root user");
        assertFalse(leakwatch.containsKey("cap_add"), "no capabilities");
        assertEquals(List.of("ALL"), leakwatch.get("cap_drop"), "everything dropped");
        assertEquals(List.of("no-new-privileges:true"), leakwatch.get("security_opt"), "Docker's default seccomp and AppArmor profiles");
        assertEquals(true, leakwatch.get("read_only"));
        assertTrue(read(StackFiles.DOCKER.resolve("Dockerfile")).contains("--path.procfs=/host/proc"),
                "the image reads /host/proc");
        assertTrue(compose.retentionDays("prometheus") >= 30, "Prometheus keeps weeks of data for leak windows");
    }

    /** The privileged variant adds exactly what other users' I/O counters take (ContainerPrivilegesTest shows why). */
    @Test
    void privilegedVariantAddsOnlyWhatOtherUsersIoTakes() {
        Map<String, Object> override = new ComposeFile(PRIVILEGED).service("leakwatch");
        assertEquals(java.util.Set.of("user", "cap_add", "security_opt"), override.keySet(), "nothing but privileges");
        Map<String, Object> leakwatch = ComposeFile.merged(LINUX, PRIVILEGED).service("leakwatch");
        assertEquals("0:0", leakwatch.get("user"), "Docker gives added capabilities to root only");
        assertEquals(List.of("SYS_PTRACE", "DAC_READ_SEARCH"), leakwatch.get("cap_add"));
        assertEquals(List.of("ALL"), leakwatch.get("cap_drop"), "every other capability still dropped");
        assertEquals(List.of("no-new-privileges:true", "apparmor:unconfined"), leakwatch.get("security_opt"));
        assertEquals(true, leakwatch.get("read_only"));
    }

    @Test
    void windowsHostStackScrapesTheHost() {
        ComposeFile compose = new ComposeFile(StackFiles.DOCKER.resolve("docker-compose.windows-host.yml"));
        assertFalse(compose.services().containsKey("leakwatch"), "leakwatch runs on Windows as a service, not here");
        String config = compose.prometheusConfigOnHost("prometheus").getFileName().toString();
        assertEquals("prometheus-windows-host.yml", config);
        assertTrue(read(StackFiles.PROMETHEUS_WINDOWS_YML).contains("host.docker.internal:9182"));
        assertTrue(compose.retentionDays("prometheus") >= 30);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
