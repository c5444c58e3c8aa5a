package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.client.OutcomeUnknownException;
import io.channelpush.channel.client.StreamOffset;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A full disk, without root: the daemon ({@code DaemonMain}, default settings) runs as a child process under
 * {@code prlimit --fsize}, so writing its stream log past 200,000 bytes fails ("File too large", as a full disk
 * would; the JVM ignores SIGXFSZ). Publishes of 1 KB to stream {@code b}: those the log took are acknowledged with
 * their offsets; the first one whose record could not be written gets no ack (its outcome is unknown: the daemon
 * writes it once the disk takes it); every later one is refused at once with {@code storage_failed} (certainly not
 * taken), not left to the client's ack timeout; a publish to a channel that is not a stream is still acknowledged;
 * and the daemon logs SEVERE with the error and what to do. Bounded: at most 400 publishes, 3 s each.
 */
class DiskFullTest {
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(3);

    @Test
    void aStreamLogThatHitsAFullDiskRefusesLaterPublishesAtOnceWhileTheUnwrittenOneStaysUnknown() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        assertTrue(Files.isExecutable(prlimit), "this test needs prlimit (util-linux) at " + prlimit);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process daemon = new ProcessBuilder(prlimit.toString(), "--fsize=200000",
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
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (output.stream().noneMatch(l -> l.contains("listening on 127.0.0.1:" + port))) {
                assertTrue(System.nanoTime() < deadline && daemon.isAlive(), "daemon did not start: " + output);
                LockSupport.parkNanos(50_000_000L); // waiting for the start-up line
            }
            byte[] kilobyte = ("\"" + "x".repeat(1000) + "\"").getBytes(StandardCharsets.UTF_8);
            try (ChannelClient c = ChannelClient.start(ClientOptions.of("127.0.0.1", port))) {
                assertTrue(c.awaitConnected(Duration.ofSeconds(10)));
                int acked = 0;
                Throwable first = null;
                for (int i = 0; i < 400 && first == null; i++) {
                    try {
                        StreamOffset o = c.publishAcked("b", kilobyte, ACK_TIMEOUT).get(10, TimeUnit.SECONDS);
                        assertEquals(acked + 1, o.offset());
                        acked++;
                    } catch (ExecutionException e) {
                        first = e.getCause();
                    }
                }
                assertTrue(acked > 100 && acked < 200, acked + " publishes fit under 200,000 bytes");
                assertInstanceOf(OutcomeUnknownException.class, first,
                        "the record the disk did not take: its ack waits, so its outcome is unknown");
                for (int i = 0; i < 3; i++) {
                    Throwable refused = failure(c.publishAcked("b", kilobyte, ACK_TIMEOUT));
                    assertInstanceOf(ChannelUnavailableException.class, refused,
                            "refused at once, not left to the ack timeout: " + refused);
                    assertTrue(refused.getMessage().contains("storage_failed"), refused.getMessage());
                }
                assertNull(c.publishAcked("w:x", kilobyte, ACK_TIMEOUT).get(10, TimeUnit.SECONDS),
                        "a channel that is not a stream is still acknowledged");
            }
            assertTrue(output.stream().anyMatch(l -> l.contains("SEVERE") && l.contains("could not write the stream "
                    + "logs") && l.contains("File too large") && l.contains("new publishes to the stream are refused")),
                    "the daemon says what failed and what to do: " + output);
            assertTrue(daemon.isAlive(), "the daemon is still running: " + output);
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(15, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
            pump.join(5_000);
        }
    }

    private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("acknowledged");
    }
}
