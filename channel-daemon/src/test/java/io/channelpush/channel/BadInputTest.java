package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every protocol error gets an error frame and a closed connection; a healthy client meanwhile keeps receiving. */
class BadInputTest {
    private static ChannelDaemon daemon;
    private static ChannelClient healthy;
    private static ChannelClient publisher;
    private static final Recorder HEALTHY = new Recorder();
    private static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withPort(0).withMaxFrameBytes(4096)
                .withWarmup(Duration.ZERO));
        healthy = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("healthy"));
        publisher = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("publisher"));
        healthy.on("alive", HEALTHY);
        assertTrue(healthy.awaitConnected(Duration.ofSeconds(5)));
        assertTrue(publisher.awaitConnected(Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() {
        healthy.close();
        publisher.close();
        daemon.close();
    }

    /** Publishes a fresh marker and waits until the healthy subscriber has it. */
    private static void healthyClientStillReceives() throws InterruptedException {
        int n = SEQ.incrementAndGet();
        publisher.publish("alive", new JsonPrimitive(n));
        while (true) {
            var e = HEALTHY.next(5_000);
            if (e == null) {
                throw new AssertionError("healthy client stopped receiving");
            }
            if (e.getAsInt() == n) {
                return;
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad_json         | true  | {not json",
        "bad_json         | true  | [1,2,3]",
        "unknown_type     | true  | {\"type\":\"teleport\"}",
        "unknown_type     | true  | {\"no_type\":1}",
        "missing_field    | true  | {\"type\":\"subscribe\"}",
        "missing_field    | true  | {\"type\":\"subscribe\",\"channels\":[1,2]}",
        "missing_field    | true  | {\"type\":\"publish\",\"channels\":[\"a\"]}",
        "missing_field    | true  | {\"type\":\"enqueue\",\"data\":1}",
        "missing_field    | true  | {\"type\":\"watch\",\"queues\":[]}",
        "unknown_type     | true  | {\"type\":\"event\",\"channel\":\"a\",\"data\":1}",
        "hello_required   | false | {\"type\":\"subscribe\",\"channels\":[\"a\"]}",
        "hello_required   | true  | {\"type\":\"hello\",\"protocol\":1}",
        "unsupported_protocol | false | {\"type\":\"hello\",\"protocol\":99}",
        "missing_field    | false | {\"type\":\"hello\"}",
    })
    void protocolErrorGetsErrorFrameAndClose(String code, boolean helloFirst, String json) throws Exception {
        try (RawClient bad = helloFirst ? RawClient.hello(daemon.port()) : new RawClient(daemon.port())) {
            bad.sendJson(json);
            JsonObject err = bad.read();
            assertEquals("error", err.get("type").getAsString());
            assertEquals(code, err.get("code").getAsString());
            assertTrue(err.get("message").getAsString().length() > 5, "message should explain: " + err);
            assertTrue(bad.closedByDaemon(), "connection left open after " + code);
        }
        healthyClientStillReceives();
    }

    @Test
    void zeroLengthFrameIsRefused() throws Exception {
        assertBadLength(new byte[] {0, 0, 0, 0});
    }

    @Test
    void frameAboveTheLimitIsRefusedBeforeItsBodyArrives() throws Exception {
        assertBadLength(new byte[] {0, 0, 0x10, 1});
    }

    @Test
    void hugeDeclaredLengthIsRefused() throws Exception {
        assertBadLength(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    }

    private void assertBadLength(byte[] header) throws Exception {
        try (RawClient bad = RawClient.hello(daemon.port())) {
            bad.send(header);
            JsonObject err = bad.read();
            assertEquals("bad_frame_length", err.get("code").getAsString());
            assertTrue(bad.closedByDaemon());
        }
        healthyClientStillReceives();
    }

    @Test
    void tenThousandRandomByteStringsDoNotHurtTheDaemon() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            byte[] junk = new byte[1 + random.nextInt(64)];
            random.nextBytes(junk);
            if (i % 3 == 0) {
                // A plausible length prefix makes the body reach the JSON parser too.
                byte[] framed = FrameCodec.encode(new String(junk, StandardCharsets.ISO_8859_1));
                junk = framed;
            }
            try (Socket s = new Socket("127.0.0.1", daemon.port())) {
                OutputStream out = s.getOutputStream();
                if (i % 2 == 0) {
                    out.write(Messages.hello("fuzz", null));
                }
                out.write(junk);
                out.flush();
            } catch (IOException e) {
                // the daemon may reset a connection it already refused; that is fine
            }
            if (i % 1_000 == 0) {
                healthyClientStillReceives();
            }
        }
        healthyClientStillReceives();
        try (RawClient fresh = RawClient.hello(daemon.port())) {
            fresh.sendJson("{\"type\":\"ping\"}");
            assertEquals("pong", fresh.read().get("type").getAsString());
        }
    }
}
