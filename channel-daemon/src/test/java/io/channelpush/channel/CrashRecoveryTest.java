package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon as a process of its own, killed with {@code kill -9} while acknowledged publishes stream in, and started
 * again on the same data folder: every publish it acknowledged is in its log, the epoch is the same and offsets go on.
 */
class CrashRecoveryTest {

    /** A daemon in a child JVM ({@code DaemonMain} on this test's class path); its output read for "listening on". */
    private static final class Child implements AutoCloseable {
        final Process process;
        final CompletableFuture<Void> listening = new CompletableFuture<>();
        final StringBuffer output = new StringBuffer();

        Child(int port, Path dataDir) throws IOException {
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), "io.channelpush.channel.daemon.DaemonMain",
                    "--port", String.valueOf(port), "--data-dir", dataDir.toString(), "--warmup-ms", "0")
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.contains("listening on")) {
                            listening.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
                listening.completeExceptionally(new AssertionError("daemon ended before listening:\n" + output));
            }, "daemon-output");
            reader.setDaemon(true);
            reader.start();
        }

        void awaitListening() throws Exception {
            listening.get(30, TimeUnit.SECONDS);
        }

        /** SIGKILL: no shutdown hook, no flush. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the daemon did not die");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static RawClient v2(int port) throws IOException {
        RawClient c = new RawClient(port);
        c.sendJson("{\"type\":\"hello\",\"protocol\":2}");
        return c;
    }

    @Test
    @Timeout(120)
    void everyAcknowledgedPublishSurvivesAKill9AndTheRestartKeepsTheEpochAndContinuesTheOffsets() throws Exception {
        Path dataDir = TestData.freshDir();
        int port = TestPorts.freePort();
        int killAfter = 3000;
        Map<Long, Long> ackedOffsetById = new ConcurrentHashMap<>();
        String epoch;
        try (Child daemon = new Child(port, dataDir)) {
            daemon.awaitListening();
            try (RawClient pub = v2(port)) {
                epoch = pub.read().get("epoch").getAsString();
                CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                    try {
                        while (true) {
                            JsonObject ack = pub.read();
                            assertEquals("ack", ack.get("type").getAsString(), ack.toString());
                            ackedOffsetById.put(ack.get("id").getAsLong(),
                                    ack.getAsJsonObject("offsets").get("b").getAsLong());
                        }
                    } catch (IOException e) {
                        // the daemon was killed
                    }
                });
                long id = 0;
                while (ackedOffsetById.size() < killAfter) {
                    for (int i = 0; i < 100; i++, id++) {
                        pub.sendJson("{\"type\":\"publish\",\"id\":" + id + ",\"channels\":[\"b\"],\"data\":{\"n\":"
                                + id + "}}");
                    }
                    long sent = id;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (ackedOffsetById.size() < sent - 500 && System.nanoTime() < deadline) {
                        Thread.onSpinWait(); // keep at most ~500 in flight
                    }
                    assertTrue(System.nanoTime() < deadline, "acks stalled at " + ackedOffsetById.size());
                }
                for (int i = 0; i < 500; i++, id++) { // in flight when the daemon dies
                    pub.sendJson("{\"type\":\"publish\",\"id\":" + id + ",\"channels\":[\"b\"],\"data\":{\"n\":" + id
                            + "}}");
                }
                daemon.kill9();
                reading.get(10, TimeUnit.SECONDS);
            }
        }
        assertTrue(ackedOffsetById.size() >= killAfter);
        try (Child daemon = new Child(port, dataDir)) {
            daemon.awaitListening();
            try (RawClient c = v2(port)) {
                assertEquals(epoch, c.read().get("epoch").getAsString(), "same folder, same epoch");
                Map<Long, Long> nByOffset = new java.util.HashMap<>();
                long after = 0;
                boolean more = true;
                for (int page = 0; more; page++) {
                    c.sendJson("{\"type\":\"history\",\"id\":" + page + ",\"channel\":\"b\",\"limit\":1000,\"after\":"
                            + "{\"epoch\":\"" + epoch + "\",\"offset\":" + after + "}}");
                    JsonObject reply = c.read();
                    assertTrue(reply.get("complete").getAsBoolean(), reply.get("complete").toString());
                    JsonArray events = reply.getAsJsonArray("events");
                    for (JsonElement e : events) {
                        long offset = e.getAsJsonObject().get("offset").getAsLong();
                        assertEquals(after + 1, offset, "offsets without a hole");
                        nByOffset.put(offset, e.getAsJsonObject().getAsJsonObject("data").get("n").getAsLong());
                        after = offset;
                    }
                    more = reply.get("more").getAsBoolean();
                }
                List<Long> missing = new ArrayList<>();
                ackedOffsetById.forEach((id, offset) -> {
                    if (!id.equals(nByOffset.get(offset))) {
                        missing.add(id);
                    }
                });
                assertEquals(List.of(), missing, "acknowledged publishes lost by kill -9");
                System.out.println("kill -9 after " + ackedOffsetById.size() + " acknowledged publishes: all of them "
                        + "among the " + nByOffset.size() + " in the log after the restart, epoch " + epoch);
                long last = after;
                c.sendJson("{\"type\":\"publish\",\"id\":1,\"channels\":[\"b\"],\"data\":\"after the restart\"}");
                JsonObject ack = c.read();
                assertEquals(last + 1, ack.getAsJsonObject("offsets").get("b").getAsLong(), "offsets go on");
            }
        }
    }
}
