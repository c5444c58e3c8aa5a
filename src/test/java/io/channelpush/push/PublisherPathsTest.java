package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.channelpush.launcher.Launcher;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The publisher answers the same on Undertow's I/O thread (the default, {@link io.channelpush.push.publish.PublishHandler}) as through the
 * servlet ({@code channelpush.publisher-on-io-thread=false}, {@link io.channelpush.push.publish.PublisherServlet}): same status, same body,
 * same content type, and what it accepts is delivered.
 */
class PublisherPathsTest {
    private static PushFixture fx;
    private static Launcher ioThread;
    private static Launcher servlet;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        ioThread = fx.node("paths-io");
        servlet = fx.node("paths-servlet", "--set", PushConfig.PUBLISHER_ON_IO_THREAD + "=false");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "GET  | content=hello                          | -",
        "GET  | content=caf%C3%A9+%26+more             | -",
        "GET  | group_id=g&content=x                   | -",
        "GET  | to_worker_id=paths-io&to_connection_id=99&content=x | -",
        "GET  | -                                      | -",
        "GET  | content=                               | -",
        "GET  | to_worker_id=w&content=x               | -",
        "GET  | to_worker_id=w&to_connection_id=0&content=x | -",
        "GET  | group_id=&content=x                    | -",
        "POST | -                                      | content=from+a+form",
        "POST | content=query+first                    | content=body+second",
        "POST | -                                      | content=%zz",
        "POST | -                                      | nothing=here",
    })
    void bothPathsAnswerAlike(String method, String query, String form) throws Exception {
        long io0 = ioThread.node().metrics().publishRequestsOnIoThread();
        long servlet0 = servlet.node().metrics().publishRequestsThroughServlet();
        ContentResponse a = send(ioThread, method, query, form);
        ContentResponse b = send(servlet, method, query, form);
        // each took the path it claims to, and only that one
        assertEquals(io0 + 1, ioThread.node().metrics().publishRequestsOnIoThread());
        assertEquals(0, ioThread.node().metrics().publishRequestsThroughServlet());
        assertEquals(servlet0 + 1, servlet.node().metrics().publishRequestsThroughServlet());
        assertEquals(0, servlet.node().metrics().publishRequestsOnIoThread());
        assertEquals(b.getStatus(), a.getStatus(), "status");
        assertEquals(b.getContentAsString(), a.getContentAsString(), "body");
        assertEquals(b.getHeaders().get("Content-Type").replace(" ", "").toLowerCase(),
                a.getHeaders().get("Content-Type").replace(" ", "").toLowerCase(), "content type");
    }

    @ParameterizedTest(name = "POST with {0}")
    @CsvSource({"text/plain", "application/json"})
    void bothPathsRefuseOtherBodiesWith415(String type) throws Exception {
        for (Launcher node : new Launcher[] {ioThread, servlet}) {
            ContentResponse r = fx.http.POST("http://127.0.0.1:" + node.port(1) + "/")
                    .body(new StringRequestContent(type, "content=x")).timeout(10, TimeUnit.SECONDS).send();
            assertEquals(415, r.getStatus(), node.node().workerId());
        }
    }

    @ParameterizedTest(name = "{0} bytes of content")
    @CsvSource({"262144", "262145"})
    void bothPathsKeepTheContentLimit(int size) throws Exception {
        int expected = size > 256 * 1024 ? 413 : 200;
        for (Launcher node : new Launcher[] {ioThread, servlet}) {
            TestClient c = fx.connect(node);
            ContentResponse r = send(node, "POST", null, "content=" + "y".repeat(size));
            assertEquals(expected, r.getStatus(), node.node().workerId());
            if (expected == 200) {
                assertEquals(size, c.next().length());
            }
        }
    }

    @ParameterizedTest(name = "published through {0}")
    @CsvSource({"paths-io", "paths-servlet"})
    void whatEitherPathAcceptsReachesClientsOfBothNodes(String via) throws Exception {
        TestClient onIo = fx.connect(ioThread);
        TestClient onServlet = fx.connect(servlet);
        Launcher node = via.equals("paths-io") ? ioThread : servlet;
        assertEquals("ok", send(node, "GET", "content=via-" + via, null).getContentAsString());
        assertEquals("via-" + via, onIo.next());
        assertEquals("via-" + via, onServlet.next());
        String target = "to_worker_id=" + onServlet.workerId + "&to_connection_id=" + onServlet.connectionId;
        assertEquals("ok", send(node, "POST", target, "content=just-you").getContentAsString());
        assertEquals("just-you", onServlet.next());
    }

    private static ContentResponse send(Launcher node, String method, String query, String form) throws Exception {
        String url = "http://127.0.0.1:" + node.port(1) + "/" + (query == null ? "" : "?" + query);
        Request r = fx.http.newRequest(url).method(method).timeout(10, TimeUnit.SECONDS);
        if (form != null) {
            r.body(new StringRequestContent("application/x-www-form-urlencoded", form));
        }
        return r.send();
    }
}
