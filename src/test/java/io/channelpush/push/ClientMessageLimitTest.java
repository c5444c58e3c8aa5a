package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code channelpush.max-client-message-bytes} at its default (65,536) against raw frames a hostile client writes:
 * a message is closed with 1009 as soon as the bytes received pass the limit, whatever its header declares and
 * however it is fragmented; the node never waits for (or holds) the rest. Other clients keep being served.
 */
class ClientMessageLimitTest {
    private static final int LIMIT = 65_536;
    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CONTINUATION = 0;

    private static PushFixture fx;
    private static Launcher node;
    private static TestClient bystander;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("msg-limit");
        assertEquals(LIMIT, node.node().config().maxClientMessageBytes(), "the test runs at the default limit");
        bystander = fx.connect(node);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** What a writer thread does to the socket; it may fail once the node cuts the connection. */
    interface Writer {
        void write(RawWebSocket ws) throws IOException;
    }

    /**
     * Connects, reads the welcome, lets {@code writer} send on its own thread and reads until the close frame.
     *
     * @return the close code; the node has then cut the connection too
     */
    private static int closeCodeWhileSending(Writer writer) throws Exception {
        try (RawWebSocket ws = new RawWebSocket(node.port(0), 0)) {
            assertTrue(ws.read().text().startsWith("workerID:msg-limit"));
            Thread t = new Thread(() -> {
                try {
                    writer.write(ws);
                } catch (IOException e) {
                    // the node closed the connection while we were still writing: expected for oversized input
                }
            }, "raw-writer");
            t.setDaemon(true);
            t.start();
            int code = ws.readUntilClose().closeCode();
            // No close handshake is awaited: the node cuts the connection after its close frame.
            assertThrows(IOException.class, () -> {
                while (true) {
                    ws.read();
                }
            });
            t.join(10_000);
            return code;
        }
    }

    /** The node still delivers to an unrelated client. */
    private static void othersStillServed() throws Exception {
        String marker = "alive-" + System.nanoTime();
        assertEquals("ok", fx.get(node, "content=" + marker).getContentAsString());
        String m;
        do {
            m = bystander.next();
        } while (!m.equals(marker));
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    @ParameterizedTest(name = "declared {0} bytes")
    @ValueSource(longs = {5_000_000L, 256L << 20, 1L << 62})
    void unfragmentedFrameIsClosedWith1009AfterTheLimitWithoutTheRestBeingSent(long declared) throws Exception {
        AtomicLong sent = new AtomicLong();
        int code = closeCodeWhileSending(ws -> {
            ws.sendHeader(true, 0, TEXT, declared);
            // 70 KB, a little past the limit, then nothing: a node that waited for the whole frame would time out
            for (int i = 0; i < 70; i++) {
                ws.sendPayload(bytes(1024, 'a'));
                sent.addAndGet(1024);
            }
        });
        assertEquals(1009, code);
        assertTrue(sent.get() <= 70 * 1024);
        othersStillServed();
    }

    @Test
    void frameLengthWithItsTopBitSetIsRefusedWith1002() throws Exception {
        assertEquals(1002, closeCodeWhileSending(ws -> {
            ws.sendHeader(true, 0, TEXT, Long.MIN_VALUE); // RFC 6455 5.2: the most significant bit must be 0
            for (int i = 0; i < 70; i++) {
                ws.sendPayload(bytes(1024, 'a'));
            }
        }));
        othersStillServed();
    }

    @Test
    void binaryFramePastTheLimitIsClosedWith1009() throws Exception {
        assertEquals(1009, closeCodeWhileSending(ws -> {
            ws.sendHeader(true, 0, BINARY, 5_000_000L);
            for (int i = 0; i < 70; i++) {
                ws.sendPayload(bytes(1024, 'b'));
            }
        }));
        othersStillServed();
    }

    @Test
    void tenThousandSmallFragmentsPastTheLimitAreClosedWith1009() throws Exception {
        assertEquals(1009, closeCodeWhileSending(ws -> {
            ws.sendFrame(false, 0, TEXT, bytes(10, 'f'));
            for (int i = 1; i < 10_000; i++) {
                ws.sendFrame(false, 0, CONTINUATION, bytes(10, 'f'));
            }
        }));
        othersStillServed();
    }

    @Test
    void multiByteTextIsCountedInBytesNotCharacters() throws Exception {
        // 40,000 characters, 80,000 bytes of UTF-8
        byte[] text = "é".repeat(40_000).getBytes(StandardCharsets.UTF_8);
        assertEquals(1009, closeCodeWhileSending(ws -> ws.sendFrame(true, 0, TEXT, text)));
        othersStillServed();
    }

    /** A command padded with spaces (valid JSON) to exactly {@code size} bytes. */
    private static byte[] commandOfSize(int size, int id) {
        String head = "{\"cmd\":\"leave_group\",\"group_id\":\"g\",\"id\":" + id + "}";
        byte[] b = bytes(size, ' ');
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, b, 0, h.length);
        return b;
    }

    @Test
    void messageOfExactlyTheLimitIsAcceptedWholeOrFragmented() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(node.port(0), 0)) {
            assertTrue(ws.read().text().startsWith("workerID:msg-limit"));
            ws.sendFrame(true, 0, TEXT, commandOfSize(LIMIT, 1));
            assertEquals("{\"type\":\"ack\",\"id\":1,\"cmd\":\"leave_group\"}", ws.read().text());

            byte[] m = commandOfSize(LIMIT, 2);
            int piece = 10_000;
            for (int off = 0; off < m.length; off += piece) {
                ws.sendFrame(off + piece >= m.length, 0, off == 0 ? TEXT : CONTINUATION,
                        Arrays.copyOfRange(m, off, Math.min(m.length, off + piece)));
            }
            assertEquals("{\"type\":\"ack\",\"id\":2,\"cmd\":\"leave_group\"}", ws.read().text());
        }
        assertEquals(1009, closeCodeWhileSending(ws -> ws.sendFrame(true, 0, TEXT, commandOfSize(LIMIT + 1, 3))));
        othersStillServed();
    }

    @Test
    void permessageDeflateIsNotNegotiatedAndACompressedFrameIsRefusedWith1002() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(node.port(0), 0,
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")) {
            assertFalse(ws.responseHead.toLowerCase().contains("sec-websocket-extensions"), ws.responseHead);
            assertTrue(ws.read().text().startsWith("workerID:msg-limit"));
            // RSV1 marks a compressed message; without the extension it is a protocol error
            ws.sendFrame(true, 4, TEXT, new byte[] {(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0});
            assertEquals(1002, ws.readUntilClose().closeCode());
        }
        othersStillServed();
    }
}
