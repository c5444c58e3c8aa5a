package io.channelpush.push.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Publish reports without sockets: the merge of the nodes' counts, the gathering of counts for a report id, and the
 * report request on the bus (which a node that does not know it still delivers).
 */
class PublishReportTest {
    private static JsonObject merge(Map<String, String> answers, List<String> missing) {
        return JsonParser.parseString(PublishReport.merge(new ScatterGather.Result(new TreeMap<>(answers), missing)))
                .getAsJsonObject();
    }

    @Test
    void recipientsAreTheSumOfTheNodesCountsAndNodesThoseThatAnswered() {
        JsonObject o = merge(Map.of("a", "3", "b", "0", "c", "12"), List.of());
        assertTrue(o.get("ok").getAsBoolean());
        assertEquals(15, o.get("recipients").getAsLong());
        assertEquals(3, o.get("nodes").getAsInt());
        assertFalse(o.has("partial"));
        assertFalse(o.has("missing"));
    }

    @Test
    void aNodeThatDidNotAnswerMakesTheReportPartialAndIsNamed() {
        JsonObject o = merge(Map.of("a", "2"), List.of("b", "c"));
        assertEquals(2, o.get("recipients").getAsLong());
        assertEquals(1, o.get("nodes").getAsInt());
        assertTrue(o.get("partial").getAsBoolean());
        assertEquals("[\"b\",\"c\"]", o.get("missing").toString());
    }

    @Test
    void anAnswerThatIsNotACountIsMissingNotSummed() {
        JsonObject o = merge(Map.of("a", "4", "b", "{\"connections\":9}", "c", "-1"), List.of());
        assertEquals(4, o.get("recipients").getAsLong());
        assertEquals(1, o.get("nodes").getAsInt());
        assertEquals("[\"b\",\"c\"]", o.get("missing").toString());
    }

    @Test
    void theGatherWaitsForTheExpectedNodesCountsAndNamesTheLateOneAfterTheBound() throws Exception {
        ScatterGather g = new ScatterGather(4, TimeUnit.MILLISECONDS.toNanos(300));
        List<BusMessage> published = new ArrayList<>();
        ScatterGather.Result r = g.ask(List.of("a", "b", "c"), "", (id, q) -> {
            published.add(new BusMessage.Reported(new BusMessage.Broadcast("hi"), id, "a"));
            g.answered(id, "a", "2");
            g.answered(id, "b", "5");
            g.answered(id + 1, "c", "7"); // another report's count is not this one's
        });
        JsonObject o = JsonParser.parseString(PublishReport.merge(r)).getAsJsonObject();
        assertEquals(7, o.get("recipients").getAsLong());
        assertEquals(2, o.get("nodes").getAsInt());
        assertEquals("[\"c\"]", o.get("missing").toString());
        assertEquals(1, published.size());
        assertEquals(0, g.inFlight());
    }

    @Test
    void aReportRequestRidesOnTheDeliverysOwnChannelAndFields() throws Exception {
        for (BusMessage d : List.of(new BusMessage.Broadcast("x \" y"), new BusMessage.Targeted("n-1", 7, "x"),
                new BusMessage.Group("room", "x"), new BusMessage.ToUser("u1", "x"))) {
            BusMessage m = new BusMessage.Reported(d, 42, "asker-1");
            byte[] bytes = BusCodec.encode(m);
            String text = new String(bytes, StandardCharsets.UTF_8);
            assertEquals(BusCodec.channel(d), BusCodec.channel(m));
            assertEquals(m, BusCodec.decode(BusCodec.channel(m), bytes), text);
            // the delivery's own fields come first and unchanged: a node that ignores the report fields delivers it
            String plain = new String(BusCodec.encode(d), StandardCharsets.UTF_8);
            assertTrue(text.startsWith(plain.substring(0, plain.length() - 1) + ",\"report_id\":42,"), text);
        }
        // half a report request is no request: the delivery alone
        assertEquals(new BusMessage.Broadcast("x"), BusCodec.decode("b",
                "{\"content\":\"x\",\"report_id\":3}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> new BusMessage.Reported(new BusMessage.NodeBeat("a", false), 1, "a"));
    }
}
