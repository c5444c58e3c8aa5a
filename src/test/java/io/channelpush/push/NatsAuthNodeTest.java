package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import io.channelpush.push.bus.NatsServerProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes on a NATS server that requires a token, configured with the {@code channelpush.nats-token} setting. */
class NatsAuthNodeTest {
    @TempDir
    Path dir;

    @Test
    void nodesWithTheTokenSettingDeliverAndANodeWithAWrongTokenStopsSayingWhy() throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.startWithConfig(dir,
                "authorization { token: \"t0ken\" }\njetstream { store_dir: \"" + dir.resolve("js") + "\" }");
             PushFixture fx = PushFixture.withoutBus()) {
            Launcher a = fx.natsNode("auth-a", nats.url(), "--set", PushConfig.NATS_TOKEN + "=t0ken");
            Launcher b = fx.natsNode("auth-b", nats.url(), "--set", PushConfig.NATS_TOKEN + "=t0ken");
            TestClient onA = fx.connect(a);
            assertEquals("ok", fx.get(b, "content=through-authenticated-nats").getContentAsString());
            assertEquals("through-authenticated-nats", onA.next());
            assertEquals(200, fx.fetch(a, "/health/ready").getStatus());

            try (Launcher wrong = Launcher.start(LauncherOptions.parse("--ws-port", "0", "--http-port", "0",
                    "--nats", nats.url(), "--worker-id", "auth-wrong", "--set", PushConfig.NATS_TOKEN + "=guess"))) {
                var ready = fx.fetch(wrong, "/health/ready");
                assertEquals(503, ready.getStatus());
                assertTrue(ready.getContentAsString().contains("\"bus\":\"disconnected\""), ready.getContentAsString());
                // Its publishes are refused: JetStream never acknowledged them, and they never get out.
                assertEquals(503, fx.get(wrong, "content=never").getStatus());
                assertEquals("ok", fx.get(b, "content=after").getContentAsString());
                assertEquals("after", onA.next(), "nothing from the refused node came before");
                assertEquals(503, fx.fetch(wrong, "/health/ready").getStatus());
                // The NATS client gives up after the second refusal: the node is dead and says why (a launcher
                // started from main halts then, for its supervisor; this one marks itself dead).
                PushFixture.await(() -> !wrong.node().health().live(), "the node outlived its bus by 10 s");
                var live = fx.fetch(wrong, "/health/live");
                assertEquals(503, live.getStatus());
                assertTrue(live.getContentAsString().contains("its bus stopped")
                        && live.getContentAsString().contains("credentials")
                        && !live.getContentAsString().contains("guess"), live.getContentAsString());
            }
        }
    }
}
