package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.NatsServerProcess;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.Test;

/**
 * While NATS is down, no publish is answered ok: JetStream cannot acknowledge it, so each is refused with 503 and
 * none of them is delivered once NATS is back.
 */
class NatsOutageTest {
    @Test
    void publishesDuringAnOutageAre503AndNeverDeliveredLater() throws Exception {
        NatsServerProcess server = NatsServerProcess.start();
        try (PushFixture fx = PushFixture.withoutBus()) {
            Launcher node = fx.natsNode("outage", server.url());
            TestClient client = fx.connect(node);
            assertEquals("ok", fx.get(node, "content=before").getContentAsString());
            assertEquals("before", client.next());
            server.kill();
            PushFixture.await(() -> !node.node().health().busConnected(), "the node did not notice that NATS died");

            long failuresBefore = node.node().metrics().publishFailures();
            for (int i = 0; i < 5; i++) {
                Fields form = new Fields();
                form.put("content", "lost-" + i);
                ContentResponse r = fx.post(node, form);
                assertEquals(503, r.getStatus(), r.getContentAsString());
                assertTrue(r.getContentAsString().contains("will not be delivered"), r.getContentAsString());
            }
            assertEquals(failuresBefore + 5, node.node().metrics().publishFailures());

            server = server.startAgain();
            PushFixture.await(() -> node.node().health().busConnected(), "the node did not reconnect to NATS");
            PushFixture.await(() -> acknowledged(fx, node, "content=back"),
                    "publishes were not acknowledged after NATS came back");
            // Only what was acknowledged arrives: the first acknowledged "back" follows "before" directly.
            assertEquals("back", client.next());
        } finally {
            server.close();
        }
    }

    private static boolean acknowledged(PushFixture fx, Launcher node, String query) {
        try {
            return fx.get(node, query).getStatus() == 200;
        } catch (Exception e) {
            throw new AssertionError("publish " + query + " failed", e);
        }
    }
}
