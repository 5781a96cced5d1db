package io.leakwatch.backend.windows;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares a leakwatch scrape with a windows_exporter scrape taken on the same Windows at the same
 * moment, process by process: the labels of windows_process_info (process, owner, cmdline,
 * process_group_id, creating_process_id) must be equal, and the memory values close (they are read
 * a moment apart). Prints every process it compared, so a green run of the Windows workflow shows
 * what was compared. Named processes (a protected one, a 32-bit one, one of another user) must be
 * in both scrapes and agree fully.
 *
 * <p>Standalone on purpose, with no other project class: the Windows workflow runs it as a
 * single-file program, {@code java ScrapeComparison.java <leakwatch> <windows_exporter> [options]};
 * tests here call {@link #compare} on recorded scrapes.
 *
 * <pre>
 * options: --must &lt;role&gt;=&lt;pid&gt;  a process that must be in both and agree, with an owner; role
 *                                 "protected" means no command line and process group 0 in both
 *                                 instead (its token may be refused to both, leaving no owner)
 *          --skip-pid &lt;pid&gt;      a process whose memory is not compared (the exporters themselves)
 * </pre>
 */
public final class ScrapeComparison {
    static final List<String> LABELS = List.of("process", "owner", "cmdline", "process_group_id", "creating_process_id");
    static final List<String> MEMORY = List.of("windows_process_private_bytes", "windows_process_working_set_private_bytes",
            "windows_process_working_set_bytes", "windows_process_virtual_bytes", "windows_process_page_file_bytes");
    /** Two reads a moment apart: within 10 %, or 1 MiB for small values. */
    static final double RELATIVE = 0.10;
    static final double ABSOLUTE = 1 << 20;
    /** Share of the compared processes whose labels (and whose memory) must agree: a process may change between the reads. */
    static final double LABELS_AGREE = 0.95;
    static final double MEMORY_AGREES = 0.90;

    /** One series: its labels and value. */
    record Sample(Map<String, String> labels, double value) {
    }

    private ScrapeComparison() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ScrapeComparison <leakwatch scrape> <windows_exporter scrape> [--must role=pid]... [--skip-pid pid]...");
            System.exit(2);
        }
        Map<String, Long> must = new LinkedHashMap<>();
        Set<Long> skip = new TreeSet<>();
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--must") && i + 1 < args.length) {
                String[] roleAndPid = args[++i].split("=", 2);
                must.put(roleAndPid[0] + "#" + must.size(), Long.parseLong(roleAndPid[1].trim()));
            } else if (args[i].equals("--skip-pid") && i + 1 < args.length) {
                skip.add(Long.parseLong(args[++i].trim()));
            } else {
                System.err.println("unknown argument " + args[i]);
                System.exit(2);
            }
        }
        boolean ok = compare(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8),
                Files.readString(Path.of(args[1]), StandardCharsets.UTF_8), must, skip, System.out);
        System.exit(ok ? 0 : 1);
    }

    /**
     * @param must a role (then "#" and anything) to a pid that must be in both scrapes and agree
     * @param skip pids whose memory is not compared
     * @return whether the scrapes agree; every comparison and the verdict are printed to {@code out}
     */
    static boolean compare(String leakwatch, String windowsExporter, Map<String, Long> must, Set<Long> skip, PrintStream out) {
        Map<String, List<Sample>> lw = parse(leakwatch);
        Map<String, List<Sample>> we = parse(windowsExporter);
        Map<Long, Map<String, String>> lwInfo = info(lw);
        Map<Long, Map<String, String>> weInfo = info(we);
        Set<Long> both = new TreeSet<>(lwInfo.keySet());
        both.retainAll(weInfo.keySet());
        List<String> problems = new ArrayList<>();
        out.printf(Locale.ROOT, "processes: leakwatch %d, windows_exporter %d, both %d (the others started or ended between the reads)%n",
                lwInfo.size(), weInfo.size(), both.size());
        if (both.isEmpty()) {
            problems.add("no process is in both scrapes");
        }
        Map<String, Map<Long, Double>> lwMemory = memory(lw);
        Map<String, Map<Long, Double>> weMemory = memory(we);

        int labelsAgree = 0;
        int memoryCompared = 0;
        int memoryAgrees = 0;
        Map<Long, List<String>> differences = new TreeMap<>();
        out.println("pid | process | owner | process_group_id | creating_process_id | cmdline (length) | memory leakwatch/windows_exporter");
        for (long pid : both) {
            Map<String, String> a = lwInfo.get(pid);
            Map<String, String> b = weInfo.get(pid);
            List<String> diff = new ArrayList<>();
            for (String label : LABELS) {
                if (!a.getOrDefault(label, "").equals(b.getOrDefault(label, ""))) {
                    diff.add(label + ": leakwatch '" + a.getOrDefault(label, "") + "', windows_exporter '" + b.getOrDefault(label, "") + "'");
                }
            }
            if (diff.isEmpty()) {
                labelsAgree++;
            }
            StringBuilder ratios = new StringBuilder();
            if (!skip.contains(pid)) {
                boolean agrees = true;
                boolean any = false;
                for (String family : MEMORY) {
                    Double x = lwMemory.getOrDefault(family, Map.of()).get(pid);
                    Double y = weMemory.getOrDefault(family, Map.of()).get(pid);
                    if (x == null || y == null) {
                        continue;
                    }
                    any = true;
                    boolean close = Math.abs(x - y) <= Math.max(RELATIVE * Math.max(x, y), ABSOLUTE);
                    ratios.append(String.format(Locale.ROOT, " %s=%.0f/%.0f%s", short_(family), x, y, close ? "" : "(!)"));
                    if (!close) {
                        agrees = false;
                        diff.add(String.format(Locale.ROOT, "%s: leakwatch %.0f, windows_exporter %.0f", family, x, y));
                    }
                }
                if (any) {
                    memoryCompared++;
                    if (agrees) {
                        memoryAgrees++;
                    }
                }
            } else {
                ratios.append(" (memory not compared)");
            }
            out.printf(Locale.ROOT, "%d | %s | %s | %s | %s | %d |%s%n", pid, a.get("process"), a.get("owner"),
                    a.get("process_group_id"), a.get("creating_process_id"), a.getOrDefault("cmdline", "").length(), ratios);
            if (!diff.isEmpty()) {
                differences.put(pid, diff);
            }
        }
        differences.forEach((pid, diff) -> out.println("differs: pid " + pid + " (" + lwInfo.get(pid).get("process") + "): "
                + String.join("; ", diff)));

        for (Map.Entry<String, Long> m : must.entrySet()) {
            String role = m.getKey().split("#")[0];
            long pid = m.getValue();
            Map<String, String> a = lwInfo.get(pid);
            Map<String, String> b = weInfo.get(pid);
            if (a == null || b == null) {
                problems.add(role + " process " + pid + " is not in " + (a == null ? "leakwatch's" : "windows_exporter's") + " scrape");
                continue;
            }
            if (differences.containsKey(pid)) {
                problems.add(role + " process " + pid + " (" + a.get("process") + ") differs: " + String.join("; ", differences.get(pid)));
            } else if (!role.equals("protected") && a.getOrDefault("owner", "").isEmpty()) {
                // a protected process may refuse its token to both exporters; any other must have an owner
                problems.add(role + " process " + pid + " (" + a.get("process") + ") has no owner in either scrape");
            }
            if (role.equals("protected") && (!a.getOrDefault("cmdline", "").isEmpty() || !a.getOrDefault("process_group_id", "0").equals("0"))) {
                problems.add("protected process " + pid + " has a command line or process group in leakwatch's scrape");
            }
            out.printf(Locale.ROOT, "checked %s process %d (%s): owner '%s', cmdline of %d characters, process_group_id %s,"
                            + " creating_process_id %s, the same in both%n", role, pid, a.get("process"), a.get("owner"),
                    a.getOrDefault("cmdline", "").length(), a.get("process_group_id"), a.get("creating_process_id"));
        }
        if (!both.isEmpty() && labelsAgree < LABELS_AGREE * both.size()) {
            problems.add(String.format(Locale.ROOT, "labels agree for %d of %d processes, fewer than %.0f %%", labelsAgree, both.size(),
                    100 * LABELS_AGREE));
        }
        if (memoryCompared > 0 && memoryAgrees < MEMORY_AGREES * memoryCompared) {
            problems.add(String.format(Locale.ROOT, "memory agrees for %d of %d processes, fewer than %.0f %%", memoryAgrees,
                    memoryCompared, 100 * MEMORY_AGREES));
        }
        if (memoryCompared == 0 && !both.isEmpty()) {
            problems.add("no memory value to compare");
        }
        out.printf(Locale.ROOT, "labels (%s) agree for %d of %d processes; memory (%s) within %.0f %% or %.0f MiB for %d of %d%n",
                String.join(", ", LABELS), labelsAgree, both.size(), String.join(", ", MEMORY.stream().map(ScrapeComparison::short_).toList()),
                100 * RELATIVE, ABSOLUTE / (1 << 20), memoryAgrees, memoryCompared);
        problems.forEach(p -> out.println("FAILED: " + p));
        out.println(problems.isEmpty() ? "the scrapes agree" : "the scrapes do not agree");
        return problems.isEmpty();
    }

    private static String short_(String family) {
        return family.substring("windows_process_".length());
    }

    /** windows_process_info by process_id. */
    private static Map<Long, Map<String, String>> info(Map<String, List<Sample>> scrape) {
        Map<Long, Map<String, String>> out = new TreeMap<>();
        for (Sample s : scrape.getOrDefault("windows_process_info", List.of())) {
            out.put(Long.parseLong(s.labels().getOrDefault("process_id", "-1")), s.labels());
        }
        return out;
    }

    private static Map<String, Map<Long, Double>> memory(Map<String, List<Sample>> scrape) {
        Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
        for (String family : MEMORY) {
            Map<Long, Double> values = new TreeMap<>();
            for (Sample s : scrape.getOrDefault(family, List.of())) {
                values.put(Long.parseLong(s.labels().getOrDefault("process_id", "-1")), s.value());
            }
            out.put(family, values);
        }
        return out;
    }

    /** The Prometheus text format: family name to its samples; comment lines and malformed lines are skipped. */
    static Map<String, List<Sample>> parse(String text) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            int rest;
            if (brace >= 0 && (space < 0 || brace < space)) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (i < line.length() && line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                        i = -1;
                        break;
                    }
                    String key = line.substring(i, eq).trim();
                    StringBuilder value = new StringBuilder();
                    int j = eq + 2;
                    for (; j < line.length() && line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\' && j + 1 < line.length()) {
                            char next = line.charAt(++j);
                            value.append(next == 'n' ? '\n' : next);
                        } else {
                            value.append(c);
                        }
                    }
                    labels.put(key, value.toString());
                    i = j + 1;
                    if (i < line.length() && line.charAt(i) == ',') {
                        i++;
                    }
                }
                if (i < 0 || i >= line.length()) {
                    continue;
                }
                rest = i + 1;
            } else if (space > 0) {
                name = line.substring(0, space);
                rest = space;
            } else {
                continue;
            }
            String[] fields = line.substring(rest).trim().split("\\s+");
            try {
                out.computeIfAbsent(name, k -> new ArrayList<>()).add(new Sample(labels, Double.parseDouble(fields[0])));
            } catch (NumberFormatException e) {
                // not a sample
            }
        }
        return out;
    }
}
