package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the publisher and the node's other paths refuse, sent as raw bytes (not through the HTTP client the tests
 * otherwise use), on both publisher paths: Undertow's I/O thread ({@link io.channelpush.push.publish.PublishHandler}) and the servlet
 * ({@link io.channelpush.push.publish.PublisherServlet}). Every refusal has a one-line reason and publishes nothing.
 */
class PublisherRefusalsTest {
    private static final String SECRET_HEADER = "Authorization: Bearer secret-token-123\r\nX-Push-Signature: sig-456\r\n";

    private static PushFixture fx;
    private static Launcher ioThread;
    private static Launcher servlet;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        ioThread = fx.node("refuse-io");
        servlet = fx.node("refuse-servlet", "--set", PushConfig.PUBLISHER_ON_IO_THREAD + "=false");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static Launcher node(String path) {
        return path.equals("io") ? ioThread : servlet;
    }

    /** Nothing reached {@code c} before a marker published after the refused request. */
    private static void nothingDelivered(Launcher node, TestClient c) throws Exception {
        RawHttp.Response r = RawHttp.send(node.port(1), "GET", "/?content=marker", "");
        assertEquals(200, r.status(), r.body());
        assertEquals("marker", c.next(), "a refused request was published");
    }

    private static void assertOneLineReason(RawHttp.Response r, String part) {
        assertTrue(r.body().endsWith("\n") && r.body().indexOf('\n') == r.body().length() - 1,
                "not one line: [" + r.body() + "]");
        assertTrue(r.body().contains(part), r.body());
    }

    @ParameterizedTest(name = "on the {0} path")
    @ValueSource(strings = {"io", "servlet"})
    void headDoesNotPublish(String path) throws Exception {
        Launcher node = node(path);
        TestClient c = fx.connect(node);
        RawHttp.Response r = RawHttp.send(node.port(1), "HEAD", "/?content=from-head", "");
        assertEquals(405, r.status());
        assertEquals("GET, POST", r.headers().get("allow"));
        nothingDelivered(node, c);
    }

    @ParameterizedTest(name = "TRACE {1} on the {0} path")
    @CsvSource({"io, /", "servlet, /", "io, /?content=x", "io, /health/ready", "io, /health/live", "io, /metrics",
        "io, /demo/", "io, /no/such/page", "servlet, /metrics"})
    void traceIsRefusedEverywhereAndEchoesNothing(String path, String target) throws Exception {
        Launcher node = node(path);
        TestClient c = fx.connect(node);
        RawHttp.Response r = RawHttp.send(node.port(1), "TRACE", target, SECRET_HEADER);
        assertEquals(405, r.status(), r.body());
        assertFalse(r.body().contains("secret-token-123") || r.body().contains("sig-456"), r.body());
        assertOneLineReason(r, "TRACE");
        nothingDelivered(node, c);
    }

    @ParameterizedTest(name = "{1} on the {0} path")
    @CsvSource(delimiter = '|', value = {
        "io      | to_user=u1&content=x     | to_user",
        "servlet | to_user=u1&content=x     | to_user",
        "io      | to_worker=w1&to_connection_id=1&content=x | to_worker",
        "servlet | to_worker=w1&to_connection_id=1&content=x | to_worker",
        "io      | content=A&content=B      | content is given 2 times",
        "servlet | content=A&content=B      | content is given 2 times",
        "io      | content=%zz              | cannot be decoded",
        "servlet | content=%zz              | cannot be decoded",
    })
    void unknownRepeatedOrUndecodableParametersAre400WithAReason(String path, String query, String reason)
            throws Exception {
        Launcher node = node(path);
        TestClient c = fx.connect(node);
        RawHttp.Response r = RawHttp.send(node.port(1), "GET", "/?" + query, "");
        assertEquals(400, r.status(), r.body());
        assertOneLineReason(r, reason);
        nothingDelivered(node, c);
    }

    @ParameterizedTest(name = "on the {0} path")
    @ValueSource(strings = {"io", "servlet"})
    void aParameterInBothTheUrlAndTheBodyIsGivenTwice(String path) throws Exception {
        Launcher node = node(path);
        TestClient c = fx.connect(node);
        String body = "content=B";
        RawHttp.Response r = RawHttp.exchange(node.port(1), "POST /?content=A HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);
        assertEquals(400, r.status(), r.body());
        assertOneLineReason(r, "content is given 2 times");
        nothingDelivered(node, c);
    }

    @ParameterizedTest(name = "on the {0} path")
    @ValueSource(strings = {"io", "servlet"})
    void moreParametersThanUndertowsDefaultLimitAre400WithAReason(String path) throws Exception {
        Launcher node = node(path);
        TestClient c = fx.connect(node);
        RawHttp.Response r = RawHttp.send(node.port(1), "GET", "/?content=x" + "&a=1".repeat(1_500), "");
        assertEquals(400, r.status(), r.body());
        assertOneLineReason(r, "unknown parameter \"a\"");
        nothingDelivered(node, c);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/%zz", "/demo/%zz", "/health/%", "/%4"})
    void aMalformedEscapeInThePathIs400WithAReason(String path) throws Exception {
        RawHttp.Response r = RawHttp.send(ioThread.port(1), "GET", path, "");
        assertEquals(400, r.status(), r.body());
        assertOneLineReason(r, "malformed %-escape");
    }
}
