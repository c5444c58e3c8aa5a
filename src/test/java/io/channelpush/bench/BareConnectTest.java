package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        String answer = new String(BareConnect.answer("dGhlIHNhbXBsZSBub25jZQ=="), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), answer);
        assertTrue(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), answer);
    }

    @Test
    void aWriteCountOtherThanOneOrTwoIsRefused() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, BareConnect.run(new String[] {"--writes", "3"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--writes must be 1 or 2"));
    }
}
