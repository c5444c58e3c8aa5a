package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket whose handshake exchange has been released ({@link HandshakeRelease}) still works both ways on a raw
 * socket: the node's messages, the container's pongs, and the close handshake; and the release works on this
 * Undertow (it says once when it cannot). What the release saves is measured by {@code BenchMain push} and
 * {@code handshake-memory}, not here.
 */
class HandshakeReleaseTest {
    private static final int TEXT = 1;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;

    @Test
    void anUpgradedConnectionStillCarriesMessagesPongsAndTheCloseAfterItsHandshakeIsReleased() throws Exception {
        try (LogCapture log = new LogCapture(HandshakeRelease.class, Level.INFO); PushFixture fx = new PushFixture()) {
            Launcher node = fx.node("release");
            String cookies = "Cookie: session=" + "c".repeat(8000) + "\r\n";
            try (RawWebSocket ws = new RawWebSocket(node.port(0), 0, cookies)) {
                assertTrue(ws.read().text().startsWith("workerID:release"));

                assertEquals("ok", fx.get(node, "content=after-release").getContentAsString());
                RawWebSocket.Frame m = ws.read();
                assertEquals(TEXT, m.opcode());
                assertEquals("after-release", m.text());

                ws.sendFrame(true, 0, PING, "p".getBytes(StandardCharsets.US_ASCII));
                RawWebSocket.Frame pong = ws.read();
                assertEquals(PONG, pong.opcode());
                assertEquals("p", new String(pong.payload(), StandardCharsets.US_ASCII));

                ws.sendFrame(true, 0, CLOSE, ByteBuffer.allocate(2).putShort((short) 1000).array());
                RawWebSocket.Frame close = ws.readUntilClose();
                assertEquals(1000, ByteBuffer.wrap(close.payload()).getShort());
            }
            List<String> said = log.messages(Level.INFO);
            assertTrue(said.isEmpty(), () -> "the release did not work on this Undertow: " + said);
        }
    }
}
