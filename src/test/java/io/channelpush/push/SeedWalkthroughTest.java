package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.channelpush.launcher.Launcher;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The seed's walk-through: welcome lines, broadcast, targeted push, through a real node and bus; on both buses. */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class SeedWalkthroughTest {
    /** The bus this invocation runs on; the fixture is built from it before the first test. */
    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static Launcher node;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        node = fx.node("seed-node");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void twoClientsGetDistinctWelcomeLines() throws Exception {
        TestClient a = fx.connect(node);
        TestClient b = fx.connect(node);
        assertEquals("workerID:seed-node connectionID:" + a.connectionId + " connected\n", a.welcome);
        assertEquals("seed-node", b.workerId);
        assertNotEquals(a.connectionId, b.connectionId);
    }

    @Test
    void broadcastReachesEveryClientAndAnswersOk() throws Exception {
        TestClient a = fx.connect(node);
        TestClient b = fx.connect(node);
        ContentResponse r = fx.get(node, "content=hello");
        assertEquals(200, r.getStatus());
        assertEquals("ok", r.getContentAsString());
        assertEquals("text/plain", r.getMediaType());
        assertEquals("hello", a.next());
        assertEquals("hello", b.next());
    }

    @Test
    void targetedPushReachesOnlyItsConnection() throws Exception {
        TestClient a = fx.connect(node);
        TestClient b = fx.connect(node);
        ContentResponse r = fx.get(node, "to_worker_id=seed-node&to_connection_id=" + b.connectionId + "&content=just-b");
        assertEquals("ok", r.getContentAsString());
        assertEquals("just-b", b.next());
        // a marker broadcast after the push: a sees the marker first, so the push never reached it
        fx.get(node, "content=marker");
        assertEquals("marker", a.next());
        assertEquals("marker", b.next());
    }

    @Test
    void unicodeAndReservedCharactersArriveIntact() throws Exception {
        TestClient a = fx.connect(node);
        String content = "h\u00e9llo \u4e16\u754c \ud83d\ude80 & = ? # % + / \" ' < > \\ \n tab\t end";
        assertEquals("ok", fx.get(node, "content=" + q(content)).getContentAsString());
        assertEquals(content, a.next());
        Fields form = new Fields();
        form.put("content", content);
        assertEquals("ok", fx.post(node, form).getContentAsString());
        assertEquals(content, a.next());
    }

    @Test
    void sixtyKilobytePostedContentArrives() throws Exception {
        TestClient a = fx.connect(node);
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 60_000; i++) {
            b.append(i).append(',');
        }
        String content = b.substring(0, 60_000);
        Fields form = new Fields();
        form.put("content", content);
        ContentResponse r = fx.post(node, form);
        assertEquals(200, r.getStatus(), r.getContentAsString());
        assertEquals(content, a.next());
    }
}
