package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.NatsServerProcess;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.Test;

/** While NATS is down, the publisher answers ok only for what the node's reconnect buffer holds, then 503. */
class NatsOutageTest {
    @Test
    void publishesThatTheBufferCannotTakeAre503NeverOk() throws Exception {
        NatsServerProcess server = NatsServerProcess.start();
        try (PushFixture fx = PushFixture.withoutBus()) {
            Launcher node = fx.natsNode("outage", server.url());
            server.kill();
            PushFixture.await(() -> !node.node().busConnected(), "the node did not notice that NATS died");

            // Group messages to a group without members: buffered and later delivered to nobody, so no client fills up.
            Fields form = new Fields();
            form.put("group_id", "nobody");
            form.put("content", "x".repeat(200_000));
            int ok = 0;
            while (true) {
                ContentResponse r = fx.post(node, form);
                if (r.getStatus() == 503) {
                    assertTrue(r.getContentAsString().contains("cannot take messages"), r.getContentAsString());
                    break;
                }
                assertEquals(200, r.getStatus(), r.getContentAsString());
                ok++;
                if (ok > 60) {
                    fail("60 publishes of 200 KB were taken into an 8 MiB buffer");
                }
            }
            // The default channelpush.channel-buffer-bytes, 8 MiB, holds 41 of these.
            assertTrue(ok >= 35 && ok <= 41, ok + " publishes of 200 KB taken");
            for (int i = 0; i < 3; i++) {
                assertEquals(503, fx.post(node, form).getStatus());
            }
            assertEquals(4, node.node().metrics().publishFailures());

            server = server.startAgain();
            PushFixture.await(() -> node.node().busConnected(), "the node did not reconnect to NATS");
            TestClient client = fx.connect(node);
            assertEquals("ok", fx.get(node, "content=back").getContentAsString());
            assertEquals("back", client.next());
        } finally {
            server.close();
        }
    }
}
