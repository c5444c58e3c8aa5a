package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameGate} without a socket: our frames and Undertow's (pongs, its close) share one conduit and never
 * interleave inside a frame, whatever the socket takes at a time.
 */
class FrameGateTest {
    private final ThrottledConduit socket = new ThrottledConduit();
    private final List<String> told = new ArrayList<>();
    private boolean closeQueued;
    private final FrameSender.Listener listener = new FrameSender.Listener() {
        @Override
        public void sent(OutboundMessage m) {
            told.add("sent:" + m.text);
        }

        @Override
        public void failed(Throwable t) {
            told.add("failed:" + t.getClass().getSimpleName());
        }
    };
    private final FrameGate gate = gate(socket, new IoScratch(Thread.currentThread(), IoScratch.CAPACITY));

    private FrameGate gate(ThrottledConduit to, IoScratch scratch) {
        return new FrameGate(to, listener, () -> closeQueued, scratch);
    }

    private static byte[] frameOf(OutboundMessage m) {
        ByteBuffer f = m.sharedFrame().duplicate();
        byte[] b = new byte[f.remaining()];
        f.get(b);
        return b;
    }

    /** An unmasked pong as Undertow writes it: header, payload, (empty trailer). */
    private static ByteBuffer[] undertowPong(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        return new ByteBuffer[] {ByteBuffer.wrap(new byte[] {(byte) 0x8A, (byte) p.length}), ByteBuffer.wrap(p),
            ByteBuffer.allocate(0)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : frame) {
            ByteBuffer d = b.duplicate();
            while (d.hasRemaining()) {
                out.write(d.get());
            }
        }
        return out.toByteArray();
    }

    @Test
    void aBatchGoesOutInOneWriteAndEachMessageIsReportedWritten() throws Exception {
        OutboundMessage a = OutboundMessage.forOne("a");
        OutboundMessage b = OutboundMessage.forMany("bb");
        OutboundMessage c = OutboundMessage.forOne("c".repeat(300));
        gate.begin();
        gate.queue(a.sharedFrame(), a);
        gate.queue(b.sharedFrame(), b);
        gate.queue(c.sharedFrame(), c);
        assertEquals(0, socket.writes(), "nothing is written before the batch ends");
        gate.end();
        assertEquals(1, socket.writes());
        assertArrayEquals(concat(frameOf(a), frameOf(b), frameOf(c)), socket.written());
        assertEquals(List.of("sent:a", "sent:bb", "sent:" + "c".repeat(300)), told);
        assertFalse(gate.hasQueued());
    }

    @Test
    void aFullSocketKeepsTheRestAndTheWriteListenersFlushWritesItWhenThereIsRoom() throws Exception {
        OutboundMessage a = OutboundMessage.forOne("0123456789");
        OutboundMessage b = OutboundMessage.forOne("abc");
        socket.allow(5);
        gate.begin();
        gate.queue(a.sharedFrame(), a);
        gate.queue(b.sharedFrame(), b);
        gate.end();
        assertTrue(socket.resumed(), "waits for the socket to take more");
        assertEquals(List.of(), told);
        assertTrue(gate.hasQueued());

        socket.allow(9);
        assertFalse(gate.flush(), "a is complete, b is not");
        assertEquals(List.of("sent:0123456789"), told);

        socket.allow(100);
        assertTrue(gate.flush());
        assertEquals(List.of("sent:0123456789", "sent:abc"), told);
        assertArrayEquals(concat(frameOf(a), frameOf(b)), socket.written());
    }

    @Test
    void undertowsFramesWaitWhileOneOfOursIsUnfinished() throws Exception {
        OutboundMessage a = OutboundMessage.forOne("0123456789");
        socket.allow(4);
        gate.queue(a.sharedFrame(), a);
        ByteBuffer[] pong = undertowPong("p1");
        socket.allow(100);
        // ours is finished first, then the pong
        gate.write(pong, 0, pong.length);
        assertArrayEquals(concat(frameOf(a), bytes(undertowPong("p1"))), socket.written());

        socket.allow(3);
        OutboundMessage b = OutboundMessage.forOne("xyz");
        gate.queue(b.sharedFrame(), b);
        socket.allow(0);
        ByteBuffer[] pong2 = undertowPong("p2");
        assertEquals(0, gate.write(pong2, 0, pong2.length), "refused while ours is half written");
        assertEquals(4, pong2[0].remaining() + pong2[1].remaining());
        socket.allow(100);
        gate.write(pong2, 0, pong2.length);
        assertArrayEquals(concat(frameOf(a), bytes(undertowPong("p1")), frameOf(b), bytes(undertowPong("p2"))),
                socket.written());
        assertEquals(List.of("sent:0123456789", "sent:xyz"), told);
    }

    @Test
    void oursWaitWhileAFrameOfUndertowsIsUnfinishedAndFollowItsRest() throws Exception {
        ByteBuffer[] pong = undertowPong("ping-payload");
        socket.allow(5);
        gate.write(pong, 0, pong.length);
        OutboundMessage a = OutboundMessage.forOne("a");
        socket.allow(100);
        gate.queue(a.sharedFrame(), a);
        assertArrayEquals(new byte[] {(byte) 0x8A, 12, 'p', 'i', 'n'}, socket.written(), "nothing inside the pong");
        assertEquals(List.of(), told);

        gate.write(pong, 0, pong.length);
        assertArrayEquals(concat(bytes(undertowPong("ping-payload")), frameOf(a)), socket.written());
        assertEquals(List.of("sent:a"), told);
    }

    @Test
    void oursBehindAnUnfinishedFrameOfUndertowsAreFailedWhenItsCloseWasQueuedMeanwhile() throws Exception {
        ByteBuffer[] pong = undertowPong("p");
        socket.allow(1);
        gate.write(pong, 0, pong.length);
        OutboundMessage a = OutboundMessage.forOne("a");
        gate.queue(a.sharedFrame(), a);
        closeQueued = true;
        ByteBuffer[] close = {ByteBuffer.wrap(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9})};
        ByteBuffer[] rest = {pong[0], pong[1], close[0]};
        socket.allow(100);
        gate.write(rest, 0, rest.length);
        assertArrayEquals(concat(bytes(undertowPong("p")), new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9}),
                socket.written(), "nothing after the close frame");
        assertEquals(List.of("failed:ClosedChannelException"), told);
        assertFalse(gate.hasQueued());
    }

    @Test
    void oursQueuedBeforeUndertowsCloseGoOutBeforeIt() throws Exception {
        OutboundMessage a = OutboundMessage.forOne("last words");
        socket.allow(0);
        gate.queue(a.sharedFrame(), a);
        closeQueued = true;
        ByteBuffer[] close = {ByteBuffer.wrap(new byte[] {(byte) 0x88, 0})};
        socket.allow(100);
        gate.write(close, 0, 1);
        assertArrayEquals(concat(frameOf(a), new byte[] {(byte) 0x88, 0}), socket.written());
        assertEquals(List.of("sent:last words"), told);
    }

    @Test
    void nothingOfOursIsQueuedOnceUndertowHasQueuedItsClose() {
        closeQueued = true;
        OutboundMessage a = OutboundMessage.forOne("late");
        assertThrows(ClosedChannelException.class, () -> gate.queue(a.sharedFrame(), a));
        assertEquals(0, socket.writes());
    }

    @Test
    void aPingIsWrittenButNotReported() throws Exception {
        gate.queue(ByteBuffer.wrap(new byte[] {(byte) 0x89, 0}), null);
        OutboundMessage a = OutboundMessage.forOne("a");
        gate.queue(a.sharedFrame(), a);
        assertArrayEquals(concat(new byte[] {(byte) 0x89, 0}, frameOf(a)), socket.written());
        assertEquals(List.of("sent:a"), told);
    }

    @Test
    void manyWaitingFramesGoOutSomeAtATimeInOrder() throws Exception {
        List<OutboundMessage> all = new ArrayList<>();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        socket.allow(0);
        gate.begin();
        for (int i = 0; i < 1_000; i++) {
            OutboundMessage m = OutboundMessage.forOne("m" + i);
            all.add(m);
            expected.writeBytes(frameOf(m));
            gate.queue(m.sharedFrame(), m);
        }
        gate.end();
        int flushes = 0;
        while (gate.hasQueued() && flushes < 10_000) {
            socket.allow(7);
            gate.flush();
            flushes++;
        }
        socket.allow(Long.MAX_VALUE);
        assertTrue(gate.flush());
        assertArrayEquals(expected.toByteArray(), socket.written());
        assertEquals(all.stream().map(m -> "sent:" + m.text).toList(), told);
    }
    @Test
    void oneSharedFrameGoesWholeToConnectionsWrittenInDifferentPiecesAndIsNeverMoved() throws Exception {
        OutboundMessage m = OutboundMessage.forMany("shared by every recipient");
        ByteBuffer shared = m.sharedFrame();
        int position = shared.position();
        IoScratch scratch = new IoScratch(Thread.currentThread(), IoScratch.CAPACITY);
        List<ThrottledConduit> sockets = new ArrayList<>();
        List<FrameGate> gates = new ArrayList<>();
        for (int room = 0; room < 6; room++) {
            ThrottledConduit s = new ThrottledConduit();
            s.allow(room);
            FrameGate g = gate(s, scratch);
            g.queue(shared, m);
            assertEquals(room, s.written().length, "the socket took what it had room for");
            sockets.add(s);
            gates.add(g);
        }
        assertEquals(position, shared.position(), "a gate moved the shared frame");
        assertEquals(List.of(), told);
        for (int i = 0; i < gates.size(); i++) {
            sockets.get(i).allow(Long.MAX_VALUE);
            assertTrue(gates.get(i).flush());
            assertArrayEquals(frameOf(m), sockets.get(i).written(), "connection " + i);
        }
        assertEquals(position, shared.position());
        assertEquals(6, told.size());
    }

    @Test
    void aFrameLargerThanTheScratchGoesOutWholeBetweenSmallerOnes() throws Exception {
        FrameGate small = gate(socket, new IoScratch(Thread.currentThread(), 64));
        OutboundMessage a = OutboundMessage.forOne("a");
        OutboundMessage big = OutboundMessage.forMany("b".repeat(500));
        OutboundMessage c = OutboundMessage.forOne("c".repeat(40));
        OutboundMessage d = OutboundMessage.forOne("d".repeat(40));
        socket.allow(30);
        small.begin();
        small.queue(a.sharedFrame(), a);
        small.queue(big.sharedFrame(), big);
        small.queue(c.sharedFrame(), c);
        small.queue(d.sharedFrame(), d);
        small.end();
        for (int i = 0; i < 100 && small.hasQueued(); i++) {
            socket.allow(30);
            small.flush();
        }
        assertFalse(small.hasQueued());
        assertArrayEquals(concat(frameOf(a), frameOf(big), frameOf(c), frameOf(d)), socket.written());
        assertEquals(List.of("sent:a", "sent:" + "b".repeat(500), "sent:" + "c".repeat(40), "sent:" + "d".repeat(40)),
                told);
    }

    @Test
    void aWriteOffTheScratchsThreadDoesNotTouchTheScratch() throws Exception {
        IoScratch elsewhere = new IoScratch(new Thread(() -> { }), IoScratch.CAPACITY);
        FrameGate g = gate(socket, elsewhere);
        OutboundMessage a = OutboundMessage.forMany("written from a view");
        OutboundMessage b = OutboundMessage.forOne("and another");
        socket.allow(7);
        g.begin();
        g.queue(a.sharedFrame(), a);
        g.queue(b.sharedFrame(), b);
        g.end();
        socket.allow(Long.MAX_VALUE);
        assertTrue(g.flush());
        assertArrayEquals(concat(frameOf(a), frameOf(b)), socket.written());
        assertEquals(0, a.sharedFrame().position());
    }
}
