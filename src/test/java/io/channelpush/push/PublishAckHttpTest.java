package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Acknowledged publishes and JSON connections over real sockets: the WAR's deployment on embedded Undertow
 * ({@link MemoryServer}) with an in-memory bus whose acknowledgements the test decides, reached by raw HTTP and by
 * Jetty's clients. Both publisher paths: Undertow's I/O thread and the servlet (async).
 */
class PublishAckHttpTest {
    private static final int ACK_TIMEOUT_MS = 300;
    private static MemoryServer ioThread;
    private static MemoryServer servlet;
    private static final HttpClient HTTP = new HttpClient();
    private static final WebSocketClient WS = new WebSocketClient(HTTP);

    @BeforeAll
    static void start() throws Exception {
        ioThread = new MemoryServer(Map.of(PushConfig.PUBLISH_ACK_TIMEOUT_MS, Integer.toString(ACK_TIMEOUT_MS)));
        servlet = new MemoryServer(Map.of(PushConfig.PUBLISH_ACK_TIMEOUT_MS, Integer.toString(ACK_TIMEOUT_MS),
                PushConfig.PUBLISHER_ON_IO_THREAD, "false", PushConfig.WORKER_ID, "mem-servlet"));
        HTTP.start();
        WS.start();
    }

    @AfterAll
    static void stop() throws Exception {
        WS.stop();
        HTTP.stop();
        ioThread.close();
        servlet.close();
    }

    private static MemoryServer server(boolean onIoThread) {
        MemoryServer s = onIoThread ? ioThread : servlet;
        s.bus.acks = InMemoryBus.Acks.ACK;
        return s;
    }

    private static TestClient json(MemoryServer s) throws Exception {
        TestClient c = new TestClient();
        WS.connect(c, URI.create("ws://127.0.0.1:" + s.port() + "/?format=json")).get(5, TimeUnit.SECONDS);
        return c;
    }

    private static JsonObject parse(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    @ParameterizedTest(name = "I/O thread: {0}")
    @ValueSource(booleans = {true, false})
    void okOnlyOnceTheBusAcknowledged503WhenItRefused504WhenItDidNotConfirm(boolean onIoThread) throws Exception {
        MemoryServer s = server(onIoThread);
        long ioBefore = s.node.metrics().publishRequestsOnIoThread();
        RawHttp.Response ok = RawHttp.send(s.port(), "GET", "/?content=acked", "");
        assertEquals(200, ok.status());
        assertEquals("ok", ok.body());
        assertEquals(onIoThread ? ioBefore + 1 : ioBefore, s.node.metrics().publishRequestsOnIoThread());

        s.bus.acks = InMemoryBus.Acks.REFUSE;
        RawHttp.Response refused = RawHttp.send(s.port(), "GET", "/?content=refused", "");
        assertEquals(503, refused.status(), refused.body());
        assertEquals("1", refused.headers().get("retry-after"));

        s.bus.acks = InMemoryBus.Acks.SILENT;
        long start = System.nanoTime();
        RawHttp.Response silent = RawHttp.send(s.port(), "GET", "/?content=never", "");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(504, silent.status(), silent.body());
        assertTrue(tookMs >= ACK_TIMEOUT_MS && tookMs < ACK_TIMEOUT_MS + 5_000, "answered after " + tookMs + " ms");

        TestClient c = json(s);
        assertEquals("welcome", parse(c.next()).get("type").getAsString());
        s.bus.acks = InMemoryBus.Acks.LOSE_ACK;
        String form = "content=lost-ack";
        RawHttp.Response lost = RawHttp.exchange(s.port(), "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + "application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\nConnection: close\r\n\r\n"
                + form);
        assertEquals(504, lost.status(), lost.body());
        assertEquals("lost-ack", parse(c.next()).get("content").getAsString(), "504: it may still be delivered");
        c.close();
        s.bus.acks = InMemoryBus.Acks.ACK;
    }

    @ParameterizedTest(name = "I/O thread: {0}")
    @ValueSource(booleans = {true, false})
    void manyPublishesWaitForTheirAcknowledgementsAtOnce(boolean onIoThread) throws Exception {
        MemoryServer s = server(onIoThread);
        s.bus.acks = InMemoryBus.Acks.HOLD;
        int n = 50;
        List<CompletableFuture<ContentResponse>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<ContentResponse> f = new CompletableResponseListener(
                    HTTP.newRequest("http://127.0.0.1:" + s.port() + "/").method("POST")
                            .body(new StringRequestContent("application/x-www-form-urlencoded", "content=m" + i,
                                    StandardCharsets.UTF_8))
                            .timeout(10, TimeUnit.SECONDS)).send();
            answers.add(f);
        }
        PushFixture.await(() -> s.bus.heldAcks() == n, "all " + n + " publishes in flight at once");
        assertEquals(n, s.node.metrics().publishAcksPending());
        s.bus.releaseAcks();
        for (CompletableFuture<ContentResponse> f : answers) {
            assertEquals("ok", f.get(10, TimeUnit.SECONDS).getContentAsString());
        }
        assertEquals(0, s.node.metrics().publishAcksPending());
    }

    @Test
    void aJsonClientIsWelcomedInJsonAndRecoversOverARealSocket() throws Exception {
        MemoryServer s = server(true);
        for (int i = 1; i <= 5; i++) {
            assertEquals(200, RawHttp.send(s.port(), "GET", "/?group_id=room&content=r" + i, "").status());
        }
        TestClient c = json(s);
        JsonObject welcome = parse(c.next());
        assertEquals("welcome", welcome.get("type").getAsString());
        assertEquals("mem", welcome.get("worker_id").getAsString());
        assertTrue(welcome.get("connection_id").getAsLong() > 0);
        String epoch = s.bus.history(io.channelpush.push.bus.Channels.GROUPS, null, 1).get().epoch();
        long base = s.bus.history(io.channelpush.push.bus.Channels.GROUPS, null, 100).get().events().stream()
                .filter(e -> new String(e.payload(), StandardCharsets.UTF_8).contains("\"r2\""))
                .findFirst().orElseThrow().position().offset();
        c.send("{\"cmd\":\"recover\",\"id\":\"r\",\"streams\":{\"group:room\":{\"epoch\":\"" + epoch
                + "\",\"offset\":" + base + "}}}");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(parse(c.next()).get("content").getAsString());
        }
        assertEquals(List.of("r3", "r4", "r5"), got);
        assertEquals(parse("{\"type\":\"recovered\",\"streams\":{\"group:room\":true},\"id\":\"r\"}"), parse(c.next()));
        assertEquals(200, RawHttp.send(s.port(), "GET", "/?group_id=room&content=live", "").status());
        JsonObject live = parse(c.next());
        assertEquals("group:room", live.get("stream").getAsString());
        assertEquals("live", live.get("content").getAsString());
        c.close();
    }

    @Test
    void aReportedPublishCountsItsRecipientsAfterTheAckAndIs503Or504LikeAnyOther() throws Exception {
        MemoryServer s = server(true);
        TestClient c = json(s);
        c.next();
        PushFixture.await(() -> s.node.presence().members().contains("mem"), "the node counts itself");
        RawHttp.Response r = RawHttp.send(s.port(), "GET", "/?content=counted&report=1", "");
        assertEquals(200, r.status(), r.body());
        assertEquals(parse("{\"ok\":true,\"recipients\":1,\"nodes\":1}"), parse(r.body()));
        assertEquals("counted", parse(c.next()).get("content").getAsString());
        s.bus.acks = InMemoryBus.Acks.REFUSE;
        assertEquals(503, RawHttp.send(s.port(), "GET", "/?content=refused&report=1", "").status());
        s.bus.acks = InMemoryBus.Acks.SILENT;
        assertEquals(504, RawHttp.send(s.port(), "GET", "/?content=unconfirmed&report=1", "").status());
        s.bus.acks = InMemoryBus.Acks.ACK;
        String metrics = RawHttp.send(s.port(), "GET", "/metrics", "").body();
        assertTrue(metrics.contains("channelpush_publish_acks_pending 0"), metrics);
        assertTrue(metrics.contains("channelpush_publish_acks_total"), metrics);
        c.close();
    }
}
