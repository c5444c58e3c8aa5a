package io.channelpush.channel;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a server a test starts (or starts again) on a port it chose: below the kernel's ephemeral range, so that
 * no outgoing connection on the machine takes the port between the choice and the bind, or while the server is down
 * for a restart (a client reconnecting to a free port of that range can even connect to itself). A port of the
 * ephemeral range was the cause of "address already in use" in a full run while a benchmark held thousands of
 * connections. A port is not handed out twice by one JVM: a test that chooses several ports before it binds any (a
 * cluster's client and route ports) could get the same one twice (about once in 1,500 clusters of 6 ports, by the
 * birthday bound), as the bind probe cannot see a port chosen but not yet bound. Only another process choosing the
 * same way can take the same port: the bind probe makes that rare. Thread-safe.
 */
public final class TestPorts {
    private static final int LOWEST = 10_000;
    // Ports are the machine's, not an object's: the record of those handed out is the JVM's, hence static.
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private TestPorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago, outside the ephemeral range when the kernel says which it is. */
    public static int freePort() throws IOException {
        int highest = ephemeralLow() - 1;
        if (highest - LOWEST >= 1_000) {
            for (int i = 0; i < 200; i++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
                if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux), or 32768 when it cannot be read. */
    private static int ephemeralLow() {
        try {
            // a line reader: procfs reports a size of 0, and Files.readString read "3" of "32768	60999" here
            try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
