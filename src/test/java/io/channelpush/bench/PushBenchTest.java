package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The push harness against a real launcher (in-process daemon, real sockets): every phase counts every delivery,
 * with either WebSocket client, and the JSON report holds the same figures as the table. Small counts: a check of
 * the harness, not a benchmark.
 */
class PushBenchTest {
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        node = Launcher.start(LauncherOptions.parse(new String[] {"--ws-port", "0", "--http-port", "0",
                "--channel-port", "0", "--no-demo", "--set", "channelpush.max-commands-per-second=1000",
                "--channel-data-dir", io.channelpush.channel.TestData.freshDir().toString()}));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @org.junit.jupiter.api.Test
    void theBareHandshakeClientIsWelcomedByARealNodeEveryTime() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = BareConnect.run(new String[] {"--port", String.valueOf(node.port(0)), "--clients", "200",
            "--rounds", "2", "--window", "50"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("round 1: 200 welcomed") && text.contains("round 2: 200 welcomed"), text);
        assertTrue(text.contains("clients' CPU"), text);
    }

    @ParameterizedTest(name = "client {0}")
    @ValueSource(strings = {"nio", "jetty"})
    void everyPhaseCountsEveryDeliveryAndWritesTheSameFiguresAsJson(String client, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("bench.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PushBench.run(new String[] {
            "--ws", "ws://127.0.0.1:" + node.port(0) + "/", "--http", "http://127.0.0.1:" + node.port(1) + "/",
            "--clients", "60", "--broadcasts", "20", "--pushes", "200", "--groups", "3", "--group-messages", "12",
            "--phases", "broadcast,targeted,groups", "--client", client, "--in-flight", "2",
            "--timeout-seconds", "60", "--out", json.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + table);
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        Map<String, JsonObject> phases = new HashMap<>();
        for (JsonElement e : report.getAsJsonArray("phases")) {
            phases.put(e.getAsJsonObject().get("phase").getAsString(), e.getAsJsonObject());
        }
        assertEquals(Map.of("broadcast", 20L * 60, "targeted", 200L, "groups", 12L * 20),
                Map.of("broadcast", delivered(phases, "broadcast"), "targeted", delivered(phases, "targeted"),
                        "groups", delivered(phases, "groups")), table);
        for (JsonObject p : phases.values()) {
            assertEquals(0, p.get("lost").getAsLong(), p.toString());
            assertEquals(0, p.get("failed_requests").getAsLong(), p.toString());
            assertTrue(p.get("p99_ms").getAsDouble() >= p.get("p50_ms").getAsDouble(), p.toString());
            assertTrue(table.contains(String.format(java.util.Locale.ROOT, "delivered %,d of %,d",
                    p.get("delivered").getAsLong(), p.get("expected_deliveries").getAsLong())), table);
        }
        assertEquals(0, report.get("unexpected_closes").getAsInt(), table);
        assertEquals(60, report.getAsJsonObject("connect").get("clients").getAsInt());
    }

    @ParameterizedTest(name = "client {0}")
    @ValueSource(strings = {"nio", "jetty"})
    void presencePhaseAsksEveryKindWithTheBearerTokenAndChecksEveryAnswer(String client,
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // a node of its own, whose publisher wants a token: a query without it would be a 401 and end the run
        try (Launcher guarded = Launcher.start(LauncherOptions.parse(new String[] {"--ws-port", "0", "--http-port",
                "0", "--channel-port", "0", "--no-demo", "--set", "channelpush.max-commands-per-second=1000",
                "--set", "channelpush.publish-tokens=bench-t1",
                // a partial answer stops the phase: give a loaded machine room before the node's own answer is late
                "--set", "channelpush.presence-wait-ms=10000",
                "--channel-data-dir", io.channelpush.channel.TestData.freshDir().toString()}))) {
            Path json = dir.resolve("bench.json");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // 41 clients: the last user has one connection; 4 groups of 5 or 6 users
            int code = PushBench.run(new String[] {
                "--ws", "ws://127.0.0.1:" + guarded.port(0) + "/", "--http", "http://127.0.0.1:" + guarded.port(1) + "/",
                "--clients", "41", "--groups", "4", "--queries", "25", "--phases", "presence", "--client", client,
                "--publish-token", "bench-t1", "--timeout-seconds", "60", "--out", json.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String table = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + table);
            JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            Map<String, JsonObject> phases = new HashMap<>();
            for (JsonElement e : report.getAsJsonArray("phases")) {
                phases.put(e.getAsJsonObject().get("phase").getAsString(), e.getAsJsonObject());
            }
            assertEquals(java.util.Set.of("presence presence=1", "presence group_members", "presence online (10 ids)",
                    "presence user_groups"), phases.keySet(), table);
            for (JsonObject p : phases.values()) {
                assertEquals(25, p.get("queries").getAsInt(), p.toString());
                assertTrue(p.get("max_ms").getAsDouble() >= p.get("p99_ms").getAsDouble()
                        && p.get("p99_ms").getAsDouble() >= p.get("p50_ms").getAsDouble()
                        && p.get("p50_ms").getAsDouble() > 0, p.toString());
            }
        }
    }

    private static long delivered(Map<String, JsonObject> phases, String name) {
        return phases.get(name).get("delivered").getAsLong();
    }
}
