package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The handshake floor runs on real loopback sockets: every client of every round is welcomed and counted. */
class BareConnectTest {

    @Test
    void everyClientOfEveryRoundIsWelcomedInOneWriteOrTwo() throws Exception {
        for (String writes : new String[] {"1", "2"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = BareConnect.run(new String[] {"--clients", "300", "--rounds", "2", "--window", "40",
                "--writes", writes}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            Matcher m = Pattern.compile("round [12]: 300 welcomed in .* server ([0-9.]+) us \\+ clients ([0-9.]+) us")
                    .matcher(text);
            for (int round = 0; round < 2; round++) {
                assertTrue(m.find(), text);
                // both sides did work: the clients' threads end before the figures are taken, and still count
                assertTrue(BarePushTest.number(m.group(1)) > 0 && BarePushTest.number(m.group(2)) > 0, text);
            }
            assertFalse(text.contains("FAILED"), text);
        }
    }

    @Test
    void theAnswerCarriesTheRfcAcceptKey() {
        // RFC 6455, section 1.3: the key of its example and the accept value it gives
        String answer = new String(BareHandshake.answer("dGhlIHNhbXBsZSBub25jZQ=="), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), answer);
        assertTrue(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), answer);
    }

    @Test
    void aWelcomeIsCompleteOnlyWithItsLastByteHoweverTheAnswerIsSplit() throws Exception {
        byte[] head = ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n"
                + "Upgrade: websocket\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] line = "workerID:w1 connectionID:7 connected\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer answer = ByteBuffer.allocate(head.length + 2 + line.length)
                .put(head).put((byte) 0x81).put((byte) line.length).put(line).flip();
        for (int chunk : new int[] {1, 7, answer.limit()}) {
            long[] state = new long[4];
            int fed = 0;
            boolean done = false;
            while (fed < answer.limit()) {
                int n = Math.min(chunk, answer.limit() - fed);
                assertFalse(done, "complete before the last byte, chunks of " + chunk);
                done = BareHandshake.welcomed(state, answer.duplicate().position(fed).limit(fed + n));
                fed += n;
            }
            assertTrue(done, "chunks of " + chunk);
        }
    }

    @Test
    void aRefusedHandshakeIsAnErrorNotAWelcome() {
        ByteBuffer refusal = ByteBuffer.wrap("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> BareHandshake.welcomed(new long[4], refusal));
        assertTrue(e.getMessage().contains("no 101"), e.getMessage());
    }

    @Test
    void theProcessTreeHoldsTheProcessAndItsChildren() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            List<Long> tree = BareConnect.processTree(ProcessHandle.current().pid());
            assertEquals(ProcessHandle.current().pid(), tree.get(0));
            assertTrue(tree.contains(child.pid()), tree + " lacks " + child.pid());
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aWriteCountOtherThanOneOrTwoIsRefused() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, BareConnect.run(new String[] {"--writes", "3"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--writes must be 1 or 2"));
    }
}
