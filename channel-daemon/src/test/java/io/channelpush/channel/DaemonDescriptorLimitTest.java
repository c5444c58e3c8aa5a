package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Item 17 at a real descriptor limit: the daemon ({@code DaemonMain}, default settings) runs as a child process under
 * {@code prlimit} with 256 descriptors while more raw sockets than that connect. Its accept fails with "Too many
 * open files": it backs off instead of spinning, logs that at most once a second with a count, keeps serving the
 * client it has, and accepts again within about a second once the sockets go.
 */
class DaemonDescriptorLimitTest {
    private static final int DESCRIPTORS = 256;
    private static final int ATTACK_SOCKETS = 400;
    private static final int ATTACK_SECONDS = 4; // under the 5 s hello deadline, which would free descriptors

    @Test
    void atTheDescriptorLimitTheDaemonBacksOffLogsOncePerSecondKeepsItsClientAndRecovers() throws Exception {
        List<Socket> attack = new ArrayList<>();
        try (LimitedDaemon d = LimitedDaemon.start("--nofile=" + DESCRIPTORS + ":" + DESCRIPTORS)) {
            int port = d.port;
            Process daemon = d.process;
            List<String> output = d.output;
            try {
                try (RawClient honest = RawClient.hello(port)) {
                    for (int i = 0; i < ATTACK_SOCKETS; i++) {
                        Socket s = new Socket();
                        attack.add(s);
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    }
                    long attackStart = System.nanoTime();
                    for (int i = 0; i < ATTACK_SECONDS; i++) {
                        honest.sendJson("{\"type\":\"ping\"}");
                        assertEquals("pong", honest.read().get("type").getAsString(), "second " + i + " of the attack");
                        LockSupport.parkNanos(1_000_000_000L); // the attack's duration
                    }
                    double attackSeconds = (System.nanoTime() - attackStart) / 1e9;
                    long closing = System.nanoTime();
                    for (Socket s : attack) {
                        s.close();
                    }
                    attack.clear();
                    try (RawClient fresh = RawClient.hello(port)) {
                        long millis = (System.nanoTime() - closing) / 1_000_000;
                        assertTrue(millis <= 3_000, "a new client was welcomed " + millis + " ms after the sockets went");
                        fresh.sendJson("{\"type\":\"ping\"}");
                        assertEquals("pong", fresh.read().get("type").getAsString());
                    }
                    honest.sendJson("{\"type\":\"ping\"}");
                    assertEquals("pong", honest.read().get("type").getAsString());
                    List<String> acceptLines = output.stream().filter(l -> l.contains("accept failed")).toList();
                    assertTrue(!acceptLines.isEmpty(), "the daemon hit its descriptor limit and said so: " + output);
                    assertTrue(acceptLines.size() <= attackSeconds + 3, acceptLines.size() + " accept-failure lines in "
                            + attackSeconds + " s: " + acceptLines);
                    assertTrue(acceptLines.stream().anyMatch(l -> l.contains("more like this")),
                            "a line counts the failures not logged: " + acceptLines);
                }
                assertTrue(daemon.isAlive(), "the daemon is still running: " + output);
            } finally {
                for (Socket s : attack) {
                    s.close();
                }
            }
        }
    }
}
