package io.planstream.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The project's own test hosts: one Linux network namespace per named host, each joined to a bridge in
 * this namespace by a veth pair, so that what the processes send each other crosses a network (its own
 * stack, interfaces and addresses per host) instead of loopback. Made with iproute2 ({@code ip netns},
 * {@code ip link}), which needs root; {@link #create} says why where it cannot, and the caller falls back to
 * loopback. {@link #close()} removes every namespace, interface and the bridge it made.
 *
 * <p>Addresses are 10.213.N.0/24, N from this process's id: the bridge (this JVM's side) is .1, the hosts .10 up.
 */
final class TestHosts implements AutoCloseable {

    private final String tag;
    private final String subnet;
    private final String bridge;
    private final Map<String, Integer> hosts = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private boolean bridgeMade;

    private TestHosts(long pid) {
        this.tag = Long.toString(pid % 100_000);
        this.subnet = "10.213." + (pid % 250 + 1);
        this.bridge = "psbr" + tag;
    }

    /** The hosts, one per name, or why they cannot be made here (not root, no iproute2, ...). */
    static Result create(List<String> names) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return new Result(Optional.empty(), "not running as root");
        }
        TestHosts h = new TestHosts(ProcessHandle.current().pid());
        try {
            h.ip("link", "add", h.bridge, "type", "bridge");
            h.bridgeMade = true;
            h.ip("addr", "add", h.subnet + ".1/24", "dev", h.bridge);
            h.ip("link", "set", h.bridge, "up");
            for (int i = 0; i < names.size(); i++) {
                String ns = h.namespace(i);
                String outside = "psv" + h.tag + "x" + i;
                String inside = "psp" + h.tag + "x" + i;
                h.ip("netns", "add", ns);
                h.namespaces.add(ns);
                h.ip("link", "add", outside, "type", "veth", "peer", "name", inside);
                h.ip("link", "set", outside, "master", h.bridge);
                h.ip("link", "set", outside, "up");
                h.ip("link", "set", inside, "netns", ns);
                h.ip("-n", ns, "addr", "add", h.subnet + "." + (10 + i) + "/24", "dev", inside);
                h.ip("-n", ns, "link", "set", inside, "up");
                h.ip("-n", ns, "link", "set", "lo", "up");
                h.hosts.put(names.get(i), i);
            }
            return new Result(Optional.of(h), null);
        } catch (IOException | RuntimeException e) {
            h.close();
            return new Result(Optional.empty(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            h.close();
            return new Result(Optional.empty(), "interrupted");
        }
    }

    /** Made hosts, or why there are none. */
    record Result(Optional<TestHosts> hosts, String whyNot) {
    }

    /** The address of a host. */
    String address(String name) {
        return subnet + "." + (10 + index(name));
    }

    /** What a command is prefixed with to run on a host: {@code ip netns exec NS} (which execs it: the pid stays). */
    List<String> launcher(String name) {
        return List.of("ip", "netns", "exec", namespace(index(name)));
    }

    private int index(String name) {
        Integer i = hosts.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no test host " + name + "; hosts: " + hosts.keySet());
        }
        return i;
    }

    private String namespace(int i) {
        return "ps" + tag + "h" + i;
    }

    /** Removes the namespaces (their interfaces go with them, and the veth peers outside too) and the bridge. */
    @Override
    public void close() {
        for (String ns : namespaces) {
            quietly("netns", "delete", ns);
        }
        namespaces.clear();
        if (bridgeMade) {
            quietly("link", "delete", bridge);
            bridgeMade = false;
        }
    }

    private void quietly(String... args) {
        try {
            ip(args);
        } catch (IOException | RuntimeException e) {
            System.err.println("TestHosts: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
    }
}
