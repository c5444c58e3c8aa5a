package io.channelpush.launcher;

import static io.channelpush.launcher.BrowserPage.js;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import io.channelpush.channel.TestPorts;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo page in a real browser: headless Chromium, driven over the DevTools protocol, opens {@code /demo/} on
 * the launcher jar, and the page shows what the node sends it, sends through its forms, and finds a restarted
 * node again, recovering through the browser library ({@code /channel-push.js}) what it missed. Saves screenshots:
 * {@code target/demo-page.png}, {@code demo-page-phone.png} (390 px wide), {@code demo-page-reconnecting.png},
 * {@code demo-page-recovered.png} and {@code demo-page-gap.png}.
 */
class DemoPageIT {
    private static final Pattern SERVING = Pattern.compile("serving ws://127\\.0\\.0\\.1:(\\d+)/ and http://127\\.0\\.0\\.1:(\\d+)/");
    private static final String RECEIVED = "[...document.querySelectorAll('#log .entry.in .text')].map(e => e.textContent)";
    private static final String LOGGED = "[...document.querySelectorAll('#log .entry')].map(e => e.textContent)";
    private static final int MISSED = 5;

    private final HttpClient http = new HttpClient();
    private final WebSocketClient ws = new WebSocketClient(http);

    @BeforeEach
    void startClients() throws Exception {
        HeadlessChromium.binary(); // fails early, with the install command, when Chromium is missing
        http.start();
        ws.setMaxTextMessageSize(64 << 20); // screenshots arrive as base64 text
        ws.start();
    }

    @AfterEach
    void stopClients() throws Exception {
        ws.stop();
        http.stop();
    }

    @Test
    void demoPageShowsItsIdsAndMessagesSendsThroughItsFormsAndReconnectsToARestartedNode() throws Exception {
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            DevTools devTools = new DevTools();
            ws.connect(devTools, chromium.devToolsUri()).get(10, TimeUnit.SECONDS);
            int wsPort;
            int httpPort;
            BrowserPage page;
            try (JarProcess node = startNode("browser-a", "0", "0")) {
                Matcher ports = SERVING.matcher(node.awaitLine("serving ws://", 30));
                assertTrue(ports.find(), node.output());
                wsPort = Integer.parseInt(ports.group(1));
                httpPort = Integer.parseInt(ports.group(2));
                awaitReady(httpPort);
                page = BrowserPage.open(devTools, "http://127.0.0.1:" + httpPort + "/demo/");

                awaitState(page, "open");
                assertEquals("browser-a", page.text("#worker-id"));
                String connection = page.text("#connection-id");
                assertTrue(connection.matches("[1-9][0-9]*"), connection);
                assertEquals("browser-a", page.eval("document.getElementById('push-worker').value").getAsString());
                assertEquals(connection, page.eval("document.getElementById('push-connection').value").getAsString());

                publish(httpPort, "to_worker_id=browser-a&to_connection_id=" + connection + "&content=hello-browser");
                awaitReceived(page, "hello-browser");
                publish(httpPort, "content=hello-everyone");
                awaitReceived(page, "hello-everyone");
                String time = page.text("#log .entry.in time");
                assertTrue(time.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"), time);

                page.submit("broadcast-form", null, "content", "broadcast from the page");
                awaitReceived(page, "broadcast from the page");
                page.submit("push-form", null, "content", "pushed to myself");
                awaitReceived(page, "pushed to myself");
                page.submit("group-form", "button[value=add_group]", "group_id", "lobby");
                awaitLogged(page, "add_group lobby", 1);
                assertEquals("lobby", page.text("#groups"));
                publish(httpPort, "group_id=lobby&content=to-the-lobby");
                awaitReceived(page, "to-the-lobby");
                page.submit("group-send-form", null, "message", "hi lobby");
                awaitReceived(page, "hi lobby");

                page.screenshot(buildDir().resolve("demo-page.png"));
                page.viewport(390, 844, 2, true);
                page.screenshot(buildDir().resolve("demo-page-phone.png"));
                page.viewport(1280, 900, 1, false);

                node.terminate();
                page.await("(s => s.dataset.state + ': ' + s.textContent)(document.getElementById('status'))",
                        v -> v.getAsString().matches("closed: Disconnected \\(.*\\)\\. Reconnecting in [0-9.]+ s…"),
                        15, "the page did not say it is reconnecting");
                page.screenshot(buildDir().resolve("demo-page-reconnecting.png"));
            }
            try (JarProcess node = startNode("browser-b", String.valueOf(wsPort), String.valueOf(httpPort))) {
                node.awaitLine("serving ws://", 30);
                awaitReady(httpPort);
                page.await("document.getElementById('worker-id').textContent", v -> v.getAsString().equals("browser-b"),
                        30, "the page did not reconnect to the restarted node");
                awaitState(page, "open");
                // rejoined its group on the new node (through recover: whether the restarted in-process daemon
                // kept its history is the other test's and the daemon's business). The group is joined once the
                // recover is answered ("recovered ..." or a gap), not at the welcome: a message published between
                // the two is the history's, and a restarted in-process daemon may have none (a full run lost one so)
                page.await(LOGGED + ".filter(t => t.includes('group:lobby') && (t.includes('recovered ')"
                        + " || t.includes('gap: resync')))", v -> v.getAsJsonArray().size() >= 1, 10,
                        "the page's recover of group:lobby was never answered");
                publish(httpPort, "group_id=lobby&content=lobby-after-restart");
                awaitReceived(page, "lobby-after-restart");
            }
            assertEquals(List.of(), devTools.pageErrors, "errors in the page");
            devTools.close();
        }
    }

    /**
     * The page's node is stopped while a second node, which runs the daemon, goes on publishing; when the page's
     * node is back on the same ports, the page (through /channel-push.js) recovers what it missed: each stream's
     * messages exactly once, in offset order, the missed ones marked recovered, then a "recovered N" marker; then
     * live messages again. Reloaded with a position of an epoch the bus never had, it shows a gap marker.
     */
    @Test
    void pageRecoversWhatItMissedWhileItsNodeWasDownOnceAndInOrderAndMarksAGapTheServerCannotFill() throws Exception {
        int daemonPort = TestPorts.freePort();
        try (HeadlessChromium chromium = HeadlessChromium.start();
             JarProcess publisher = JarProcess.start("channel-push-launcher.jar", "--worker-id", "publisher",
                     "--ws-port", "0", "--http-port", "0", "--channel-port", String.valueOf(daemonPort), "--no-demo")) {
            DevTools devTools = new DevTools();
            ws.connect(devTools, chromium.devToolsUri()).get(10, TimeUnit.SECONDS);
            Matcher pub = SERVING.matcher(publisher.awaitLine("serving ws://", 30));
            assertTrue(pub.find(), publisher.output());
            int publishPort = Integer.parseInt(pub.group(2));
            awaitReady(publishPort);
            int wsPort;
            int httpPort;
            BrowserPage page;
            try (JarProcess node = startPageNode("0", "0", daemonPort)) {
                Matcher ports = SERVING.matcher(node.awaitLine("serving ws://", 30));
                assertTrue(ports.find(), node.output());
                wsPort = Integer.parseInt(ports.group(1));
                httpPort = Integer.parseInt(ports.group(2));
                awaitReady(httpPort);
                page = BrowserPage.open(devTools, "http://127.0.0.1:" + httpPort + "/demo/");
                awaitState(page, "open");
                page.submit("group-form", "button[value=add_group]", "group_id", "lobby");
                awaitLogged(page, "add_group lobby", 1);
                publish(publishPort, "content=live-1");
                publish(publishPort, "group_id=lobby&content=lobby-1");
                awaitReceived(page, "live-1");
                awaitReceived(page, "lobby-1");
                node.terminate();
                awaitState(page, "closed");
            }
            List<String> broadcasts = new ArrayList<>(List.of("live-1"));
            List<String> lobby = new ArrayList<>(List.of("lobby-1"));
            for (int i = 1; i <= MISSED; i++) {
                publish(publishPort, "content=missed-" + i);
                broadcasts.add("missed-" + i);
                publish(publishPort, "group_id=lobby&content=lobby-missed-" + i);
                lobby.add("lobby-missed-" + i);
            }
            try (JarProcess node = startPageNode(String.valueOf(wsPort), String.valueOf(httpPort), daemonPort)) {
                node.awaitLine("serving ws://", 30);
                awaitReady(httpPort);
                awaitLogged(page, "recovered " + 2 * MISSED + " (broadcast, group:lobby)", 1);
                awaitState(page, "open");
                publish(publishPort, "content=live-2");
                broadcasts.add("live-2");
                publish(publishPort, "group_id=lobby&content=lobby-2");
                lobby.add("lobby-2");
                awaitReceived(page, "live-2");
                awaitReceived(page, "lobby-2");
                assertStream(page, "broadcast", broadcasts);
                assertStream(page, "group:lobby", lobby);
                assertEquals(0, page.eval("channelPush.stats.duplicatesDropped").getAsInt(), "duplicates from the node");
                assertEquals(0, page.eval("channelPush.stats.gaps").getAsInt());
                assertEquals(List.of(), page.eval("[...document.querySelectorAll('#log .entry.gap')].map(e => e.textContent)")
                        .getAsJsonArray().asList());
                page.screenshot(buildDir().resolve("demo-page-recovered.png"));

                // A reload keeps the positions in sessionStorage; one of an epoch the bus never had cannot be filled.
                page.eval("sessionStorage.setItem('channel-push-demo', JSON.stringify({streams: "
                        + "{broadcast: {epoch: 'no-such-epoch', offset: 1}}, groups: ['lobby']}))");
                page.eval("location.reload()");
                page.await("document.readyState === 'complete' && !!document.querySelector('#log .entry.gap')",
                        JsonElement::getAsBoolean, 15, "the reloaded page showed no gap");
                assertEquals("gap: resync broadcast (the server no longer has what was missed)",
                        page.text("#log .entry.gap .text"));
                awaitState(page, "open");
                publish(publishPort, "content=after-the-gap");
                awaitReceived(page, "after-the-gap");
                // lobby had no position: the library joined it again (add_group) rather than recovered it
                assertEquals("lobby", page.text("#groups"));
                publish(publishPort, "group_id=lobby&content=lobby-after-the-gap");
                awaitReceived(page, "lobby-after-the-gap");
                assertEquals(List.of("after-the-gap"),
                        texts(page, "[...document.querySelectorAll('#log .entry.in[data-stream=broadcast] .text')]"
                                + ".map(e => e.textContent)"));
                page.screenshot(buildDir().resolve("demo-page-gap.png"));
            }
            assertEquals(List.of(), devTools.pageErrors, "errors in the page");
            devTools.close();
        }
    }

    /** The messages of one stream in the order the page got them (the log is newest first), and that they came in offset order. */
    private static void assertStream(BrowserPage page, String stream, List<String> expected) throws Exception {
        String entries = "[...document.querySelectorAll('#log .entry.in[data-stream=\"" + stream + "\"]')].reverse()";
        assertEquals(expected, texts(page, entries + ".map(e => e.querySelector('.text').textContent)"), stream);
        JsonArray offsets = page.eval(entries + ".map(e => Number(e.dataset.offset))").getAsJsonArray();
        for (int i = 1; i < offsets.size(); i++) {
            assertTrue(offsets.get(i).getAsLong() > offsets.get(i - 1).getAsLong(), stream + " offsets " + offsets);
        }
        List<String> recovered = texts(page, entries + ".filter(e => e.classList.contains('recovered'))"
                + ".map(e => e.querySelector('.text').textContent)");
        assertEquals(expected.stream().filter(m -> m.contains("missed-")).toList(), recovered, stream + " recovered");
    }

    /**
     * Waits up to 30 s for {@code /health/ready} to answer 200: "serving" is printed once the ports listen, and a
     * publish before the node holds its bus connection is answered 503.
     */
    private void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status;
        while ((status = http.newRequest(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(10, TimeUnit.SECONDS).send().getStatus()) != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the node on port " + port + " was not ready within 30 s (last " + status + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
        }
    }

    /** The strings of a JavaScript expression's array value. */
    private static List<String> texts(BrowserPage page, String expression) throws Exception {
        List<String> out = new ArrayList<>();
        page.eval(expression).getAsJsonArray().forEach(v -> out.add(v.getAsString()));
        return out;
    }

    private static JarProcess startNode(String workerId, String wsPort, String httpPort) throws Exception {
        return JarProcess.start("channel-push-launcher.jar", "--worker-id", workerId, "--ws-port", wsPort,
                "--http-port", httpPort, "--channel-port", "0");
    }

    private static JarProcess startPageNode(String wsPort, String httpPort, int daemonPort) throws Exception {
        return JarProcess.start("channel-push-launcher.jar", "--worker-id", "page-node", "--ws-port", wsPort,
                "--http-port", httpPort, "--channel", "127.0.0.1:" + daemonPort);
    }

    private void publish(int port, String query) throws Exception {
        assertEquals("ok", http.newRequest(URI.create("http://127.0.0.1:" + port + "/?" + query))
                .timeout(10, TimeUnit.SECONDS).send().getContentAsString());
    }

    private static void awaitState(BrowserPage page, String state) throws Exception {
        page.await("document.getElementById('status').dataset.state", v -> v.getAsString().equals(state), 15,
                "the page's status did not become " + state);
    }

    private static void awaitReceived(BrowserPage page, String message) throws Exception {
        page.await(RECEIVED, v -> count(v, message) == 1, 10, "the page did not show the message \"" + message + "\" once");
    }

    private static void awaitLogged(BrowserPage page, String fragment, int times) throws Exception {
        page.await(LOGGED + ".filter(t => t.includes(" + js(fragment) + "))",
                v -> v.getAsJsonArray().size() == times, 10, "the log did not show \"" + fragment + "\" " + times + " times");
    }

    private static int count(JsonElement texts, String message) {
        int n = 0;
        for (JsonElement e : texts.getAsJsonArray()) {
            n += e.getAsString().equals(message) ? 1 : 0;
        }
        return n;
    }

    private static Path buildDir() {
        return Path.of(System.getProperty("test.channelpush.build.dir", "target"));
    }
}
