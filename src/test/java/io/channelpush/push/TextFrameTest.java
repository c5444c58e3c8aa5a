package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The server's text frame at each length encoding's edges, read back as RFC 6455 section 5.2 says. */
class TextFrameTest {
    private static void readsBack(int length, int headerBytes) throws IOException {
        String text = "é".repeat(length / 2) + "x".repeat(length % 2);
        ByteBuffer frame = OutboundMessage.forOne(text).sharedFrame().duplicate();
        assertEquals(headerBytes + length, frame.remaining());
        byte[] all = new byte[frame.remaining()];
        frame.get(all);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all));
        assertEquals(0x81, in.readUnsignedByte(), "FIN, no reserved bits, text");
        int b1 = in.readUnsignedByte();
        assertEquals(0, b1 & 0x80, "a server's frame is not masked");
        long declared = b1 & 0x7F;
        if (declared == 126) {
            declared = in.readUnsignedShort();
        } else if (declared == 127) {
            declared = in.readLong();
        }
        assertEquals(length, declared);
        byte[] payload = in.readAllBytes();
        assertEquals(text, new String(payload, StandardCharsets.UTF_8));
    }

    @Test
    void lengthsUpTo125FitInTheSecondByte() throws IOException {
        readsBack(0, 2);
        readsBack(125, 2);
    }

    @Test
    void lengthsFrom126To65535TakeTwoMoreBytes() throws IOException {
        readsBack(126, 4);
        readsBack(65_535, 4);
    }

    @Test
    void longerLengthsTakeEightMoreBytes() throws IOException {
        readsBack(65_536, 10);
        readsBack(1_000_001, 10);
    }

    @Test
    void aQueueIsChargedForTheTextNotTheHeader() {
        assertEquals(OutboundMessage.forOne("x".repeat(200)).weight(),
                OutboundMessage.forMany("x".repeat(200)).weight());
        assertEquals(200 + 64, OutboundMessage.forOne("x".repeat(200)).weight());
    }
}
