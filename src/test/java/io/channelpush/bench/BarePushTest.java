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

/** The targeted-push floor runs on real loopback sockets: every answered push put one frame on its target. */
class BarePushTest {

    @Test
    void everyAnsweredPushDeliversOneFrameAndTheCpuIsSplitBetweenServerAndHarness() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = BarePush.run(new String[] {"--targets", "50", "--window", "8", "--seconds", "1"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        Matcher m = Pattern.compile("([0-9,]+) pushes/s answered, ([0-9,]+) frames/s delivered.*p99 ([0-9.]+) ms.*"
                + "server ([0-9.]+) us \\+ harness ([0-9.]+) us").matcher(text);
        assertTrue(m.find(), text);
        double answered = number(m.group(1));
        double delivered = number(m.group(2));
        assertTrue(answered > 100, text);
        // the reader's count starts a moment before the publisher's: at most the window apart, plus a little
        assertTrue(Math.abs(answered - delivered) <= 8 + answered * 0.05, text);
        assertTrue(number(m.group(4)) > 0 && number(m.group(5)) > 0, text);
        assertFalse(text.contains("FAILED"), text);
    }

    @Test
    void aRequestIsOfOneLengthWhateverItsTargetAndStamp() {
        assertEquals(BarePush.template(0, 0).length, BarePush.template(8999, Long.MAX_VALUE).length);
        String r = new String(BarePush.template(42, 0xabcL), StandardCharsets.US_ASCII);
        assertTrue(r.startsWith("GET /?to_worker_id=w1&to_connection_id=0000000042&content=0000000000000abc HTTP/1.1"),
                r);
    }

    @Test
    void aBadOptionIsRefusedWithTheUsageAndHelpIsNoError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, BarePush.run(new String[] {"--tagets", "5"}, System.out, e));
        assertEquals(2, BarePush.run(new String[] {"--window", "0"}, System.out, e));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("unknown option --tagets") && text.contains("--window must be positive"), text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, BarePush.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--server-threads"));
    }

    static double number(String figure) {
        return Double.parseDouble(figure.replace(",", ""));
    }
}
