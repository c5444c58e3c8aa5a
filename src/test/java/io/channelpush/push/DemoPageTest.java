package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page at {@code /demo/}: served by the launcher's default servlet (welcome file included) next to the
 * publisher at the root, and a 404 on a node started with {@code --no-demo}; the browser library
 * {@code /channel-push.js} it uses is served either way.
 */
class DemoPageTest {
    private static PushFixture fx;
    private static Launcher on;
    private static Launcher off;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        on = fx.node("demo-on");
        off = fx.node("demo-off", "--no-demo");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void demoSlashServesThePageWithItsForms() throws Exception {
        ContentResponse r = fx.fetch(on, "/demo/");
        assertEquals(200, r.getStatus());
        assertEquals("text/html", r.getMediaType());
        String html = r.getContentAsString();
        assertTrue(html.contains("<meta name=\"viewport\""), html);
        assertTrue(html.contains("<script src=\"demo.js\""), html);
        assertTrue(html.contains("<script src=\"../channel-push.js\""), html);
        for (String form : new String[] {"broadcast-form", "push-form", "group-form", "group-send-form"}) {
            assertTrue(html.contains("<form id=\"" + form + "\""), form);
        }
        assertTrue(html.contains("<label for=\"push-connection\">"), html);
        assertEquals(html, fx.fetch(on, "/demo/index.html").getContentAsString());
    }

    @Test
    void scriptAndStylesheetAreServed() throws Exception {
        ContentResponse js = fx.fetch(on, "/demo/demo.js");
        assertEquals(200, js.getStatus());
        assertTrue(js.getMediaType().endsWith("javascript"), js.getMediaType());
        assertTrue(js.getContentAsString().contains("new ChannelPush("));
        ContentResponse css = fx.fetch(on, "/demo/demo.css");
        assertEquals(200, css.getStatus());
        assertEquals("text/css", css.getMediaType());
    }

    @Test
    void browserLibraryIsServedWithOrWithoutTheDemoAndRevalidatedByBrowsers() throws Exception {
        for (Launcher node : new Launcher[] {on, off}) {
            ContentResponse r = fx.fetch(node, "/channel-push.js");
            assertEquals(200, r.getStatus());
            assertTrue(r.getMediaType().endsWith("/javascript"), r.getMediaType());
            assertEquals("no-cache", r.getHeaders().get("Cache-Control"));
            assertEquals("nosniff", r.getHeaders().get("X-Content-Type-Options"));
            String body = r.getContentAsString();
            assertTrue(body.contains("global.ChannelPush = ChannelPush;"), body);
            assertTrue(body.chars().allMatch(c -> c < 128), "the library is ASCII: no charset question");
            String lastModified = r.getHeaders().get("Last-Modified");
            assertTrue(lastModified != null && !lastModified.isEmpty(), "no Last-Modified to revalidate with");
            ContentResponse again = fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/channel-push.js")
                    .headers(h -> h.put("If-Modified-Since", lastModified))
                    .timeout(10, TimeUnit.SECONDS).send();
            assertEquals(304, again.getStatus());
            assertEquals("", again.getContentAsString());
        }
    }

    @Test
    void demoWithoutTheSlashLeadsToThePage() throws Exception {
        ContentResponse r = fx.fetch(on, "/demo");
        assertEquals(200, r.getStatus());
        assertTrue(r.getContentAsString().contains("<form id=\"broadcast-form\""));
    }

    @Test
    void publisherStillOwnsTheRoot() throws Exception {
        TestClient c = fx.connect(on);
        assertEquals("ok", fx.get(on, "content=x").getContentAsString());
        assertEquals("x", c.next());
        ContentResponse bare = fx.fetch(on, "/");
        assertEquals(400, bare.getStatus());
        assertEquals("content is missing or empty\n", bare.getContentAsString());
    }

    @Test
    void withNoDemoTheDemoIsNotFoundAndTheRestWorks() throws Exception {
        for (String path : new String[] {"/demo/", "/demo", "/demo/index.html", "/demo/demo.js", "/demo/demo.css",
                "/demo/nothing-here"}) {
            ContentResponse r = fx.fetch(off, path);
            assertEquals(404, r.getStatus(), path);
            assertFalse(r.getContentAsString().contains("<form"), path);
        }
        TestClient c = fx.connect(off);
        assertEquals("ok", fx.get(off, "content=y").getContentAsString());
        assertEquals("y", c.next());
    }

    @Test
    void withNoDemoPathTricksDoNotReachTheDemoEither() throws Exception {
        // Sent as is, on a raw socket: an HTTP client would normalize these paths before sending.
        for (String path : new String[] {"//demo/index.html", "/x/../demo/index.html", "/./demo/demo.js",
                "/demo;x=1/index.html", "/%64emo/index.html", "/DEMO/index.html", "//demo/"}) {
            assertEquals(404, rawStatus(off, path), path);
            assertEquals(path.contains("DEMO") ? 404 : 200, rawStatus(on, path), path);
        }
    }

    @Test
    void demoPathsAreRecognizedAfterNormalization() {
        for (String p : new String[] {"/demo", "/demo/", "/demo/index.html", "//demo", "/./demo/x", "/a/../demo/",
                "/../demo/x", "/Demo/", "\\demo\\x", "/demo;p=1/x"}) {
            assertTrue(DemoGate.isDemoPath(p), p);
        }
        for (String p : new String[] {"", "/", "/demos/x", "/demo/../x", "/demo/..", "/x/demo/", "/demox", "/a/b/../demo"}) {
            assertFalse(DemoGate.isDemoPath(p), p);
        }
    }

    /** The status of a GET whose path is sent exactly as given. */
    private static int rawStatus(Launcher node, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port(1))) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void demoSettingIsOffByDefaultAndMustBeTrueOrFalse() {
        assertFalse(PushConfig.load(name -> null).demoEnabled());
        assertTrue(PushConfig.load(Map.of(PushConfig.DEMO_ENABLED, "TRUE")::get).demoEnabled());
        assertFalse(PushConfig.load(Map.of(PushConfig.DEMO_ENABLED, "false")::get).demoEnabled());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PushConfig.load(Map.of(PushConfig.DEMO_ENABLED, "yes")::get));
        assertEquals("channelpush.demo-enabled must be true or false, got \"yes\"", e.getMessage());
    }
}
