package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.FrameDecoder;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    @Test
    void lengthCountsOnlyTheBody() {
        byte[] f = FrameCodec.encode("{\"type\":\"ping\"}");
        assertArrayEquals(new byte[] {0, 0, 0, 15}, java.util.Arrays.copyOf(f, 4));
        assertEquals("{\"type\":\"ping\"}", new String(f, 4, 15, StandardCharsets.UTF_8));
    }

    @Test
    void blockingReadRoundTripsAndSeesCleanEnd() throws Exception {
        byte[] a = FrameCodec.encode("{\"type\":\"ping\"}");
        byte[] b = FrameCodec.encode("{\"type\":\"pong\",\"x\":\"\u00e9\u4e2d\"}");
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(both));
        assertEquals(MessageType.PING, Message.parse(FrameCodec.read(in, 1024)).type());
        assertEquals("\u00e9\u4e2d", Message.parse(FrameCodec.read(in, 1024)).string("x"));
        assertNull(FrameCodec.read(in, 1024));
    }

    @Test
    void oversizedLengthIsRejectedBeforeAllocating() {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(new byte[] {(byte) 0xFF, -1, -1, -1}));
        ProtocolException e = assertThrows(ProtocolException.class, () -> FrameCodec.read(in, 1 << 20));
        assertEquals(ErrorCode.BAD_FRAME_LENGTH, e.code());
        assertTrue(e.getMessage().contains("4294967295"));
    }

    @Test
    void zeroLengthIsRejected() {
        FrameDecoder d = new FrameDecoder(1024);
        ProtocolException e = assertThrows(ProtocolException.class, () -> d.next(ByteBuffer.wrap(new byte[4])));
        assertEquals(ErrorCode.BAD_FRAME_LENGTH, e.code());
    }

    @Test
    void truncatedFrameIsAnEofNotACleanEnd() {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(new byte[] {0, 0, 0, 9, '{'}));
        assertThrows(EOFException.class, () -> FrameCodec.read(in, 1024));
    }

    @Test
    void decoderReassemblesFramesSplitAtEveryByte() throws Exception {
        byte[] f = FrameCodec.encode("{\"type\":\"reserve\"}");
        byte[] twice = new byte[f.length * 2];
        System.arraycopy(f, 0, twice, 0, f.length);
        System.arraycopy(f, 0, twice, f.length, f.length);
        FrameDecoder d = new FrameDecoder(1024);
        int frames = 0;
        for (byte value : twice) {
            byte[] body = d.next(ByteBuffer.wrap(new byte[] {value}));
            if (body != null) {
                assertEquals(MessageType.RESERVE, Message.parse(body).type());
                frames++;
            }
        }
        assertEquals(2, frames);
        assertTrue(d.atFrameBoundary());
    }

    @Test
    void parseNamesTheProblem() {
        assertEquals(ErrorCode.BAD_JSON, assertThrows(ProtocolException.class,
                () -> Message.parse("{nope".getBytes(StandardCharsets.UTF_8))).code());
        assertEquals(ErrorCode.BAD_JSON, assertThrows(ProtocolException.class,
                () -> Message.parse("[1,2]".getBytes(StandardCharsets.UTF_8))).code());
        assertEquals(ErrorCode.BAD_JSON, assertThrows(ProtocolException.class,
                () -> Message.parse(new byte[] {'"', (byte) 0xC3, '"'})).code());
        assertEquals(ErrorCode.UNKNOWN_TYPE, assertThrows(ProtocolException.class,
                () -> Message.parse("{\"type\":\"teleport\"}".getBytes(StandardCharsets.UTF_8))).code());
        assertEquals(ErrorCode.MISSING_FIELD, assertThrows(ProtocolException.class,
                () -> Message.parse("{\"type\":\"subscribe\"}".getBytes(StandardCharsets.UTF_8))
                        .strings("channels")).code());
    }

    @Test
    void peekTypeFindsTheTypeWithoutBuildingTheRestAndGivesUpOnAnythingOdd() {
        String big = "x".repeat(200_000);
        assertEquals(MessageType.ENQUEUE, Message.peekType(("{\"queue\":\"q\",\"data\":[\"" + big
                + "\"],\"type\":\"enqueue\"}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(MessageType.PUBLISH, Message.peekType("{\"type\":\"publish\"}".getBytes(StandardCharsets.UTF_8)));
        assertNull(Message.peekType("{\"type\":7}".getBytes(StandardCharsets.UTF_8)));
        assertNull(Message.peekType("{\"data\":1}".getBytes(StandardCharsets.UTF_8)));
        assertNull(Message.peekType("[1,2]".getBytes(StandardCharsets.UTF_8)));
        assertNull(Message.peekType("{\"data\":".concat("[".repeat(100_000)).getBytes(StandardCharsets.UTF_8)));
        assertNull(Message.peekType(new byte[] {'{', '"', (byte) 0xC3}));
    }

    @Test
    void aNumberThatIsNotAnExactLongIsAMissingField() throws Exception {
        for (String n : new String[] {"1e99999999999", "1.5", "99999999999999999999"}) {
            Message m = Message.parse(("{\"type\":\"hello\",\"protocol\":" + n + "}").getBytes(StandardCharsets.UTF_8));
            assertEquals(ErrorCode.MISSING_FIELD, assertThrows(ProtocolException.class, () -> m.number("protocol")).code(), n);
        }
    }
}
