package io.leakwatch.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Windows Firewall rule that lets other machines scrape the service, as windows_exporter's
 * installer adds one for its port: inbound TCP to the listen ports, for the service's java.exe,
 * from the given remote addresses or any. Made with netsh from System32, removed by name.
 */
final class Firewall {
    static final String RULE = "leakwatch";

    private Firewall() {
    }

    /**
     * Replaces the rule (an earlier install's is deleted first).
     *
     * @param remoteAddresses netsh's remoteip list (comma separated addresses, ranges or subnets); "" for any
     * @return null when it was added, else what netsh said
     */
    static String add(ServiceCommand.Environment env, String java, List<Integer> ports, String remoteAddresses) {
        remove(env);
        List<String> command = new ArrayList<>(List.of(netsh(env), "advfirewall", "firewall", "add", "rule", "name=" + RULE,
                "dir=in", "action=allow", "protocol=TCP",
                "localport=" + ports.stream().distinct().map(String::valueOf).collect(Collectors.joining(",")),
                "remoteip=" + (remoteAddresses.isBlank() ? "any" : remoteAddresses.replace(" ", "")),
                "program=" + java, "profile=any", "description=leakwatch process exporter (HTTP)"));
        try {
            ServiceCommand.ProcessOutput result = env.run(command);
            return result.exitCode() == 0 ? null : result.output().strip().lines().findFirst().orElse("exit " + result.exitCode());
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /** Deletes the rule; nothing happens when there is none. */
    static void remove(ServiceCommand.Environment env) {
        try {
            env.run(List.of(netsh(env), "advfirewall", "firewall", "delete", "rule", "name=" + RULE));
        } catch (IOException e) {
            // no netsh: no rule either
        }
    }

    private static String netsh(ServiceCommand.Environment env) {
        return env.systemDirectory() + "\\netsh.exe";
    }
}
