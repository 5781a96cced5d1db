package io.leakwatch.compat;

import io.leakwatch.Settings;
import io.leakwatch.config.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * windows_exporter reads its config file as YAML whatever it is called, in UTF-8 or UTF-16, and
 * only its first document: its own config.yaml starts leakwatch unchanged however it was saved.
 */
class ConfigFileFormatsTest {
    private static final Path CONFIG_YAML = Path.of("src/test/resources/windows_exporter/config.yaml");

    @TempDir
    Path dir;

    private static Settings parse(String... args) throws UsageException {
        List<String> all = new ArrayList<>(List.of("--web.listen-address=127.0.0.1:0", "--no-leak.enabled"));
        all.addAll(List.of(args));
        return Settings.parse(all);
    }

    private static String refused(Path file) {
        UsageException e = assertThrows(UsageException.class, () -> parse("--config.file=" + file));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    /** windows_exporter's config.yaml as it loads from its own name: log level warn, the same ignored keys. */
    private static void loadsAsWindowsExportersConfig(Path file, boolean noteExpected) throws Exception {
        Settings s = parse("--config.file=" + file);
        assertEquals("warn", s.log().level(), file.toString());
        String warnings = String.join("\n", s.warnings());
        assertTrue(warnings.contains("collector.textfile.directories, collector.service.include, collector.performancecounter.objects"),
                warnings);
        assertEquals(noteExpected ? 3 : 2, s.warnings().size(), warnings);
    }

    private Path saved(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] bytes(String text, Charset charset, byte... bom) {
        byte[] body = text.getBytes(charset);
        byte[] out = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, out, 0, bom.length);
        System.arraycopy(body, 0, out, bom.length, body.length);
        return out;
    }

    @Test
    void windowsExportersConfigYamlWhateverItsName() throws Exception {
        byte[] yaml = Files.readAllBytes(CONFIG_YAML);
        for (String name : List.of("windows_exporter.cfg", "config.txt", "config", "windows_exporter.yml", "CONFIG.YAML")) {
            loadsAsWindowsExportersConfig(saved(name, yaml), false);
        }
    }

    @Test
    void aConfFileThatIsYamlStartsWithAWarning() throws Exception {
        Path conf = saved("windows_exporter.conf", Files.readAllBytes(CONFIG_YAML));
        loadsAsWindowsExportersConfig(conf, true);
        List<String> warnings = parse("--config.file=" + conf).warnings();
        assertTrue(warnings.stream().anyMatch(w -> w.contains("is not HOCON") && w.contains("read as YAML") && !w.contains("\n")),
                warnings.toString());
    }

    @Test
    void utf16WithAndWithoutByteOrderMark() throws Exception {
        String text = Files.readString(CONFIG_YAML);
        // Windows PowerShell 5.1's Out-File and Set-Content -Encoding Unicode: UTF-16LE with a BOM
        loadsAsWindowsExportersConfig(saved("le-bom.yml", bytes(text, StandardCharsets.UTF_16LE, (byte) 0xFF, (byte) 0xFE)), false);
        loadsAsWindowsExportersConfig(saved("be-bom.yml", bytes(text, StandardCharsets.UTF_16BE, (byte) 0xFE, (byte) 0xFF)), false);
        loadsAsWindowsExportersConfig(saved("le.yml", bytes(text, StandardCharsets.UTF_16LE)), false);
        loadsAsWindowsExportersConfig(saved("be.cfg", bytes(text, StandardCharsets.UTF_16BE)), false);
        loadsAsWindowsExportersConfig(saved("utf8-bom.yml", bytes(text, StandardCharsets.UTF_8, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF)),
                false);
    }

    @Test
    void theFirstDocumentOnly() throws Exception {
        String text = Files.readString(CONFIG_YAML);
        loadsAsWindowsExportersConfig(saved("trailing.yml", (text + "---\n").getBytes(StandardCharsets.UTF_8)), false);
        loadsAsWindowsExportersConfig(saved("second.yml", (text + "---\nlog:\n  level: debug\n").getBytes(StandardCharsets.UTF_8)),
                false);
        loadsAsWindowsExportersConfig(saved("broken-second.yml", (text + "---\n: [unclosed\n").getBytes(StandardCharsets.UTF_8)),
                false);
        loadsAsWindowsExportersConfig(saved("leading.yml", ("---\n" + text).getBytes(StandardCharsets.UTF_8)), false);
    }

    @Test
    void hoconAndJsonStillRead() throws Exception {
        Path conf = Files.writeString(dir.resolve("leakwatch.conf"), "log { level = warn }\n");
        assertEquals("warn", parse("--config.file=" + conf).log().level());
        assertTrue(parse("--config.file=" + conf).warnings().isEmpty());
        Path json = Files.writeString(dir.resolve("leakwatch.json"), "{\"log\": {\"level\": \"warn\"}}");
        assertEquals("warn", parse("--config.file=" + json).log().level());
        Path cfg = Files.writeString(dir.resolve("leakwatch.cfg"), "log { level = warn }\n");
        Settings s = parse("--config.file=" + cfg);
        assertEquals("warn", s.log().level(), "HOCON under another name, as leakwatch read it before");
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("read as HOCON")), s.warnings().toString());
    }

    @Test
    void clearErrors() throws Exception {
        String yamlConf = refused(Files.writeString(dir.resolve("broken.conf"), "log:\n  level: warn\n bad: [unclosed\n"));
        assertTrue(yamlConf.contains("this looks like YAML") && yamlConf.contains("invalid YAML"), yamlConf);
        String badUtf8 = refused(saved("latin1.yml", "log:\n  level: w\u00e4rn\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(badUtf8.contains("not valid UTF-8"), badUtf8);
        String broken = refused(Files.writeString(dir.resolve("broken.yml"), "log:\n  level: [unclosed\n"));
        assertTrue(broken.contains("invalid YAML") && broken.contains("line"), broken);
    }
}
