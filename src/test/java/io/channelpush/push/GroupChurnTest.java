package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group membership churn leaves no trace. Runs on the channel daemon only: joining and leaving groups never
 * touches the bus, so the other backend would repeat the same work.
 */
class GroupChurnTest {
    private static PushFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void tenThousandConnectJoinCloseCyclesLeaveTheMapEmpty() throws Exception {
        Launcher fresh = fx.node("group-cycles");
        int cycles = 10_000;
        int parallel = 50;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int done = 0;
        while (done < cycles) {
            assertTrue(System.nanoTime() < deadline, "cycles took too long; done " + done);
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (int i = 0; i < parallel && done < cycles; i++, done++) {
                int n = done;
                TestClient c = new TestClient();
                batch.add(fx.ws.connect(c, URI.create("ws://127.0.0.1:" + fresh.port(0) + "/"))
                        .thenAccept(session -> {
                            try {
                                c.awaitWelcome();
                                PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"cycle-" + (n % 97)
                                        + "\",\"id\":" + n + "}");
                                c.close();
                                c.awaitClose();
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }));
            }
            CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        }
        PushFixture.await(() -> fresh.node().connectionCount() == 0 && fresh.node().groupCount() == 0,
                "after " + cycles + " cycles: " + fresh.node().connectionCount() + " connections, "
                        + fresh.node().groupCount() + " groups left");
        assertEquals(cycles, fresh.node().metrics().connectionsOpened());
    }
}
