package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The portable {@link JakartaFrameSender} (any container but Undertow), executed against a fake
 * {@link jakarta.websocket.RemoteEndpoint.Async} ({@link FakeWebSocket}): the session picks it through
 * {@link FrameSenders} as it would on another container, drains on the node's sender threads (here a
 * {@link ManualExecutor}), batches, counts queued bytes until the container reports them written, and closes
 * through the same writer.
 */
class JakartaFrameSenderTest {
    private static final PushConfig DEFAULTS = PushConfig.load(Map.<String, String>of()::get);

    private final ManualExecutor senderThreads = new ManualExecutor();
    private final FrameSenders senders = new FrameSenders(senderThreads, null, 0, 25_000);
    private final FakeWebSocket ws = new FakeWebSocket();
    private int slow;
    private final PushSession session = new PushSession(7, l -> senders.forSession(ws.session(), l),
            senders::group, new SessionLimits(DEFAULTS.sendQueueBytes(), DEFAULTS.maxCommandsPerSecond(), s -> slow++,
            new ClientCloseLog()));

    @Test
    void aFakeSessionGetsTheJakartaSender() {
        FrameSender s = senders.forSession(ws.session(), new FrameSender.Listener() {
            @Override
            public void sent(OutboundMessage m) {
            }

            @Override
            public void failed(Throwable t) {
            }
        });
        assertTrue(s instanceof JakartaFrameSender, s.getClass().getName());
        assertEquals(senderThreads, s.executor());
    }

    @Test
    void queuedTextsGoOutAsOneBatchAndCountUntilTheContainerReportsThemWritten() {
        session.send("a");
        session.send("b");
        session.send("c");
        assertEquals(List.of(), ws.calls(), "nothing is written before the drain runs");
        senderThreads.runAll();
        assertEquals(List.of("batching:true", "text:a", "text:b", "text:c", "batching:false", "flush"), ws.calls());
        assertEquals(3 * OutboundMessage.forOne("a").weight(), session.queuedBytes());
        ws.completeAll(null);
        assertEquals(0, session.queuedBytes());
        assertTrue(ws.isOpen());
    }

    @Test
    void failedWriteClosesWith1011ThroughTheQueue() {
        session.send("a");
        senderThreads.runAll();
        ws.completeAll(new IOException("connection reset"));
        assertTrue(session.isClosed());
        assertNull(ws.closeReason(), "the close waits for the session's writer");
        senderThreads.runAll();
        assertEquals(1011, ws.closeReason().getCloseCode().getCode());
        assertEquals("send failed", ws.closeReason().getReasonPhrase());
    }

    @Test
    void pingsAndTheCloseGoThroughTheRemoteInQueueOrder() {
        session.send("a");
        session.pingOrExpire(Long.MAX_VALUE);
        session.send("b");
        session.close(CloseCode.SHUTDOWN);
        senderThreads.runAll();
        assertEquals(List.of("batching:true", "text:a", "batching:false", "flush", "ping", "batching:true",
                "text:b", "batching:false", "flush"), ws.calls());
        assertEquals(1001, ws.closeReason().getCloseCode().getCode());
        assertEquals("node shutting down", ws.closeReason().getReasonPhrase());
    }

    @Test
    void containerThatNeverCompletesIsClosedWith1013AtTheDefaultQueueLimit() {
        String pad = "p".repeat(10_000);
        int accepted = 0;
        while (session.send(OutboundMessage.forOne(accepted + ":" + pad))) {
            accepted++;
            senderThreads.runAll();
            assertTrue(accepted < 1_000, "the queue took more than 1,000 messages of 10 KB");
        }
        senderThreads.runAll();
        assertEquals(DEFAULTS.sendQueueBytes() / OutboundMessage.forOne("0:" + pad).weight(), accepted);
        assertEquals(accepted, ws.texts().size());
        assertEquals(1, slow);
        assertFalse(ws.isOpen());
        assertEquals(1013, ws.closeReason().getCloseCode().getCode());
        assertEquals("slow client: send queue full", ws.closeReason().getReasonPhrase());
    }

    @Test
    void tooBigAbortsWith1009WithoutWritingWhatWasQueued() {
        session.send("queued");
        session.closeTooBig(DEFAULTS.maxClientMessageBytes());
        senderThreads.runAll();
        assertEquals(List.of(), ws.texts());
        assertEquals(1009, ws.closeReason().getCloseCode().getCode());
    }
}
