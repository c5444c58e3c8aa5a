package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
        Path prlimit = Path.of("/usr/bin/prlimit");
        assertTrue(Files.isExecutable(prlimit), "this test needs prlimit (util-linux) at " + prlimit);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process daemon = new ProcessBuilder(prlimit.toString(), "--nofile=" + DESCRIPTORS + ":" + DESCRIPTORS,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "io.channelpush.channel.daemon.DaemonMain",
                "--port", String.valueOf(port), "--data-dir", TestData.freshDir().toString())
                .redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(daemon.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        pump.start();
        List<Socket> attack = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (output.stream().noneMatch(l -> l.contains("listening on 127.0.0.1:" + port))) {
                assertTrue(System.nanoTime() < deadline && daemon.isAlive(), "daemon did not start: " + output);
                LockSupport.parkNanos(50_000_000L); // waiting for the start-up line
            }
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
            daemon.destroy();
            if (!daemon.waitFor(15, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
            pump.join(5_000);
        }
    }
}
