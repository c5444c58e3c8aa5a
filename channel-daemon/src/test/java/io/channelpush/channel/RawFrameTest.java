package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import io.channelpush.channel.protocol.RawFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The payload fast path without sockets: what it takes, what it leaves to {@link Message#parse}, and the splice. */
class RawFrameTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String bodyOf(byte[] frame) {
        int length = ((frame[0] & 0xFF) << 24) | ((frame[1] & 0xFF) << 16) | ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
        assertEquals(frame.length - FrameCodec.HEADER_BYTES, length, "the prefix counts the body exactly");
        return new String(frame, FrameCodec.HEADER_BYTES, length, StandardCharsets.UTF_8);
    }

    @Test
    void theEventFrameCarriesTheDataBytesVerbatim() throws Exception {
        String data = "{ \"a\" :\t[1 , 2.50e+3,\n-0.0] ,\"s\":\"caf\\u00e9 \\\"q\\\" \u4e2d \\/ \\n\",\"n\":null , \"t\" : true }";
        byte[] body = utf8("  {\"channels\" : [ \"news\",\"w:node-1\" ], \"extra\":{\"x\":[{}]},"
                + "\"type\":\"publish\", \"data\":" + data + "\r\n}  ");
        RawFrame f = RawFrame.scan(body);
        assertNotNull(f, "a strict publish takes the fast path");
        assertEquals(MessageType.PUBLISH, f.type());
        assertEquals(List.of("news", "w:node-1"), f.names());
        assertArrayEquals(utf8(data), f.data());

        String event = bodyOf(f.splice(MessageType.EVENT, "channel", 1));
        assertEquals("{\"type\":\"event\",\"channel\":\"w:node-1\",\"data\":" + data + "}", event);
        Message parsed = Message.parse(utf8(event));
        assertEquals(MessageType.EVENT, parsed.type());
        assertEquals("caf\u00e9 \"q\" \u4e2d / \n", parsed.element("data").getAsJsonObject().get("s").getAsString());
    }

    @Test
    void aSplicedEventIsTheSameFrameTheTreePathBuildsForCompactData() {
        byte[] body = Messages.publish(List.of("b"), "{\"content\":\"hi\",\"to_connection_id\":7}");
        RawFrame f = RawFrame.scan(Arrays.copyOfRange(body, 4, body.length));
        assertNotNull(f);
        assertArrayEquals(Messages.event("b", "{\"content\":\"hi\",\"to_connection_id\":7}"),
                f.splice(MessageType.EVENT, "channel", 0));
    }

    @Test
    void enqueueEventAndJobTakeTheFastPathWithTheirOwnNameField() {
        RawFrame enqueue = RawFrame.scan(utf8("{\"type\":\"enqueue\",\"queue\":\"mail\",\"data\":[1,\"x\"]}"));
        assertEquals("mail", enqueue.name());
        assertEquals("{\"type\":\"job\",\"queue\":\"mail\",\"data\":[1,\"x\"]}",
                bodyOf(enqueue.splice(MessageType.JOB, "queue", 0)));
        assertEquals("news", RawFrame.scan(utf8("{\"type\":\"event\",\"channel\":\"news\",\"data\":1}")).name());
        assertEquals("q", RawFrame.scan(utf8("{\"type\":\"job\",\"queue\":\"q\",\"data\":\"\"}")).name());
        assertNull(RawFrame.scan(utf8("{\"type\":\"enqueue\",\"channel\":\"mail\",\"data\":1}")),
                "an enqueue without its queue field is left to Message.parse");
    }

    @Test
    void anythingButStrictWellFormedPayloadFramesIsLeftToTheTreeParser() {
        for (String body : List.of(
                "{\"type\":\"ping\"}",
                "{\"type\":\"subscribe\",\"channels\":[\"a\"]}",
                "{\"type\":\"publish\",\"channels\":[\"a\"]}",
                "{\"type\":\"publish\",\"channels\":[],\"data\":1}",
                "{\"type\":\"publish\",\"channels\":\"a\",\"data\":1}",
                "{\"type\":\"publish\",\"channels\":[1],\"data\":1}",
                "{\"type\":\"publish\",\"channels\":[\"a\\u0062\"],\"data\":1}",
                "{\"type\":\"publish\",\"channels\":[\"\u00e9\"],\"data\":1}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":1,\"data\":2}",
                "{\"type\":\"publish\",\"type\":\"publish\",\"channels\":[\"a\"],\"data\":1}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":{a:1}}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":'x'}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":01}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":1.}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":[1,]}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":{\"x\":1,}}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":\"tab\tinside\"}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":\"\\x\"}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":tru}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":[1}",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":1} x",
                "{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":1",
                "[\"publish\"]",
                "")) {
            assertNull(RawFrame.scan(utf8(body)), body);
        }
    }

    @Test
    void invalidUtf8AndDeepNestingAreLeftToTheTreeParserWhichRefusesThemByName() {
        byte[] head = utf8("{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":\"");
        byte[] bad = Arrays.copyOf(head, head.length + 3);
        bad[head.length] = (byte) 0xC3; // a lead byte without its continuation
        bad[head.length + 1] = '"';
        bad[head.length + 2] = '}';
        assertNull(RawFrame.scan(bad));
        assertEquals(ErrorCode.BAD_JSON, assertThrows(ProtocolException.class, () -> Message.parse(bad)).code());

        String deep = "[".repeat(RawFrame.MAX_DEPTH + 1) + "]".repeat(RawFrame.MAX_DEPTH + 1);
        assertNull(RawFrame.scan(utf8("{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":" + deep + "}")));
        String ok = "[{\"a\":".repeat(100) + "1" + "}]".repeat(100);
        assertNotNull(RawFrame.scan(utf8("{\"type\":\"publish\",\"channels\":[\"a\"],\"data\":" + ok + "}")),
                "200 levels are within the scan's depth");
    }

    @Test
    void everyTruncationOfAValidFrameIsRefusedWithoutAnException() {
        byte[] body = utf8("{\"type\":\"publish\",\"channels\":[\"a\",\"b\"],\"data\":{\"k\":[true,false,null,-1.5E-3,\"\\u00e9\"]}}");
        assertNotNull(RawFrame.scan(body));
        for (int n = 0; n < body.length; n++) {
            assertNull(RawFrame.scan(Arrays.copyOf(body, n)), "prefix of " + n + " bytes");
        }
    }
}
