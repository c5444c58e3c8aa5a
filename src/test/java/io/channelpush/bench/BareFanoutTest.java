package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bare-machine benchmark runs on real loopback sockets and reports what it delivered; a bad option is refused. */
class BareFanoutTest {

    @Test
    void saturatedAndPacedRunsReportDeliveriesAndThePacedOneItsLatency() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = BareFanout.run(new String[] {"--sockets", "20", "--seconds", "1", "--frames-per-write", "2",
            "--rates", "50"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        Matcher paced = Pattern.compile("paced, +50 rounds/s +: +([0-9,]+) deliveries/s.*p99 ([0-9.]+) ms").matcher(text);
        assertTrue(paced.find(), text);
        // 20 sockets x 50 rounds per second
        double perSecond = Double.parseDouble(paced.group(1).replace(",", ""));
        assertTrue(perSecond > 500 && perSecond < 1500, text);
        assertTrue(text.contains("saturated,  2 frames per write"), text);
    }

    @Test
    void anUnknownOptionIsRefusedWithTheUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BareFanout.run(new String[] {"--sokets", "20"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --sokets"));
    }
}
