package io.channelpush.channel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.channelpush.channel.protocol.StreamMessages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AckScanTest {
    static byte[] body(byte[] frame) {
        return Arrays.copyOfRange(frame, 4, frame.length);
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheDaemonsOwnAcksWithNoneOrOneOffset() {
        assertEquals(new AckScan.Ack(7, null, 0), AckScan.scan(body(StreamMessages.ack(7, Map.of()))));
        assertEquals(new AckScan.Ack(123456789012L, "g", 42),
                AckScan.scan(body(StreamMessages.ack(123456789012L, Map.of("g", 42L)))));
    }

    @Test
    void leavesEveryOtherSpellingToTheFullParser() {
        Map<String, Long> two = new LinkedHashMap<>();
        two.put("b", 1L);
        two.put("g", 2L);
        assertNull(AckScan.scan(body(StreamMessages.ack(1, two))), "several channels");
        assertNull(AckScan.scan(json("{\"type\": \"ack\",\"id\":1,\"offsets\":{}}")), "spacing");
        assertNull(AckScan.scan(json("{\"id\":1,\"type\":\"ack\",\"offsets\":{}}")), "field order");
        assertNull(AckScan.scan(json("{\"type\":\"ack\",\"id\":01,\"offsets\":{}}")), "leading zero");
        assertNull(AckScan.scan(json("{\"type\":\"ack\",\"id\":1,\"offsets\":{\"a\\\"b\":1}}")), "escape");
        assertNull(AckScan.scan(json("{\"type\":\"ack\",\"id\":1,\"offsets\":{\"b\":1.5}}")), "fraction");
        assertNull(AckScan.scan(json("{\"type\":\"ack\",\"id\":1,\"offsets\":{\"b\":1}}x")), "trailing bytes");
        assertNull(AckScan.scan(json("{\"type\":\"ack\",\"id\":1,\"offsets\":{\"b\":1}")), "truncated");
        assertNull(AckScan.scan(json("{\"type\":\"event\",\"channel\":\"b\",\"data\":1}")), "another type");
    }
}
