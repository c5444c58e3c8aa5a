package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client that never reads is closed with 1013; the others get everything; memory stays bounded. */
class SlowClientTest {
    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("slow-client");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    void clientThatNeverReadsIsClosedWith1013AndTheOthersReceiveEverything() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = heapAfterGc(memory);
        List<TestClient> readers = List.of(fx.connect(node), fx.connect(node), fx.connect(node));
        try (RawWebSocket stuck = new RawWebSocket(node.port(0), 16 * 1024)) {
            PushFixture.await(() -> node.node().connectionCount() == 4, "stuck client not registered");
            String pad = "p".repeat(10_000);
            long peakHeap = 0;
            for (int i = 0; i < 1_000; i++) {
                Fields form = new Fields();
                form.put("content", i + ":" + pad);
                assertEquals(200, fx.post(node, form).getStatus());
                if (i % 100 == 99) {
                    peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
                    for (TestClient r : readers) {
                        for (int j = i - 99; j <= i; j++) {
                            String m = r.next();
                            assertTrue(m.startsWith(j + ":"), "expected message " + j + ", got " + m.substring(0, 10));
                        }
                    }
                }
            }
            assertEquals(1, node.node().metrics().slowClientDisconnects());
            RawWebSocket.Frame close = stuck.readUntilClose();
            assertEquals(1013, close.closeCode(), close.text());
            PushFixture.await(() -> node.node().connectionCount() == 3, "the slow client is still registered");
            long heapAfter = heapAfterGc(memory);
            System.out.printf("slow-client test: heap after GC %d MiB before, %d MiB after; peak sampled %d MiB%n",
                    heapBefore >> 20, heapAfter >> 20, peakHeap >> 20);
            assertTrue(heapAfter - heapBefore < 64L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
        }
        for (TestClient r : readers) {
            assertTrue(r.isOpen());
        }
    }
}
