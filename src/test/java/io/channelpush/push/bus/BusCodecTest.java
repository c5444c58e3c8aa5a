package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec of messages between nodes, without a bus: round trips, the wire format, and named refusals. */
class BusCodecTest {

    private static MalformedBusMessageException.Problem refusal(String channel, String payload) {
        return assertThrows(MalformedBusMessageException.class,
                () -> BusCodec.decode(channel, payload.getBytes(StandardCharsets.UTF_8))).problem();
    }

    @Test
    void everyKindRoundTripsOnItsOwnChannelWhateverItsText() throws Exception {
        String awkward = "quote \" backslash \\ newline \n tab \t nul \u0000 \u001f line-sep \u2028 caf\u00e9 \u4e2d "
                + "\ud83d\ude00 </script> {\"json\":[1]}";
        for (BusMessage m : List.of(
                new BusMessage.Broadcast(awkward),
                new BusMessage.Broadcast(""),
                new BusMessage.Targeted("node-1", 42, awkward),
                new BusMessage.Targeted("b", Long.MAX_VALUE, "x"),
                new BusMessage.Group("room \"7\"", awkward),
                new BusMessage.NodeBeat("node-1", false),
                new BusMessage.NodeBeat("node-1", true),
                new BusMessage.MemberChange("node-1", BusMessage.MemberChange.Change.JOIN, "room \"7\"", awkward),
                new BusMessage.MemberChange("node-1", BusMessage.MemberChange.Change.LEAVE, awkward, "u"),
                new BusMessage.MemberChange("node-1", BusMessage.MemberChange.Change.SYNC, null, null),
                new BusMessage.MemberChange("node-1", BusMessage.MemberChange.Change.SYNCED, null, null),
                new BusMessage.Resync("node-1", "node-2"),
                new BusMessage.Query(7, "node-2", awkward),
                new BusMessage.Reply("node-2", Long.MAX_VALUE, "node-1", awkward))) {
            byte[] bytes = BusCodec.encode(m);
            assertEquals(m, BusCodec.decode(BusCodec.channel(m), bytes), new String(bytes, StandardCharsets.UTF_8));
        }
    }

    @Test
    void theShortWayForTargetedPushesReadsEveryPayloadAsTheFullDecoderDoes() throws Exception {
        // what the encoder writes for an ordinary push takes the short way
        for (String content : List.of("hi", "", "caf\u00e9 \u4e2d \ud83d\ude00 </script>", "a".repeat(5000))) {
            BusMessage.Targeted m = new BusMessage.Targeted("node-1", 42, content);
            String text = new String(BusCodec.encode(m), StandardCharsets.UTF_8);
            assertEquals(m, TargetedPayload.read("node-1", text), text);
            assertEquals(m, BusCodec.decode("w:node-1", BusCodec.encode(m)));
        }
        // anything else is left to the full decoder; whichever way a payload goes, it reads the same
        List<String> payloads = List.of(
                "{\"to_connection_id\":7,\"content\":\"hi\"}",
                "{\"to_connection_id\":7,\"content\":\"\"}",
                "{\"to_connection_id\":1234567890123456789,\"content\":\"hi\"}",
                "{\"to_connection_id\":123456789012345678,\"content\":\"hi\"}",
                "{\"to_connection_id\":07,\"content\":\"hi\"}",
                "{\"to_connection_id\":0,\"content\":\"hi\"}",
                "{\"to_connection_id\":-7,\"content\":\"hi\"}",
                "{\"to_connection_id\":7.5,\"content\":\"hi\"}",
                "{\"to_connection_id\":\"7\",\"content\":\"hi\"}",
                "{\"to_connection_id\":7,\"content\":\"say \\\"hi\\\"\"}",
                "{\"to_connection_id\":7,\"content\":\"line\\nbreak \\u2028\"}",
                "{\"to_connection_id\":7,\"content\":\"raw\ttab\"}",
                "{\"to_connection_id\":7,\"content\":\"hi\",\"report_id\":3,\"report_to\":\"n2\"}",
                "{\"to_connection_id\":7,\"content\":\"hi\"} ",
                "{\"to_connection_id\":7,\"content\":\"hi\"}}",
                "{\"to_connection_id\":7,\"content\":\"hi\"",
                "{\"to_connection_id\":7,\"content\":\"hi",
                "{\"to_connection_id\":7,\"content\":\"hi\"]",
                "{\"to_connection_id\":7, \"content\":\"hi\"}",
                "{\"to_connection_id\":7,\"content\":5}",
                "{\"to_connection_id\":7,\"bind_uid\":\"u\"}",
                "{\"to_connection_id\":,\"content\":\"hi\"}",
                "{\"to_connection_id\":7}");
        int shortWay = 0;
        for (String p : payloads) {
            shortWay += TargetedPayload.read("n", p) != null ? 1 : 0;
            byte[] bytes = p.getBytes(StandardCharsets.UTF_8);
            Object viaDecode;
            Object viaFull;
            try {
                viaDecode = BusCodec.decode("w:n", bytes);
            } catch (MalformedBusMessageException e) {
                viaDecode = e.problem();
            }
            try {
                viaFull = BusCodec.decodeFully("w:n", "n", p);
            } catch (MalformedBusMessageException e) {
                viaFull = e.problem();
            }
            assertEquals(viaFull, viaDecode, p);
        }
        assertEquals(3, shortWay, "the first, second and fourth payloads are in the encoder's exact form");
        // and bytes that are not UTF-8 are replaced alike on both ways
        byte[] bad = "{\"to_connection_id\":7,\"content\":\"a\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(BusCodec.decodeFully("w:n", "n", new String(bad, StandardCharsets.UTF_8)),
                BusCodec.decode("w:n", bad));
    }

    @Test
    void theWireFormatIsTheOneEarlierNodesSpeak() throws Exception {
        assertEquals("b", BusCodec.channel(new BusMessage.Broadcast("x")));
        assertEquals("w:node-1", BusCodec.channel(new BusMessage.Targeted("node-1", 1, "x")));
        assertEquals("g", BusCodec.channel(new BusMessage.Group("r", "x")));
        assertArrayEquals("{\"content\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                BusCodec.encode(new BusMessage.Broadcast("hi")));
        assertArrayEquals("{\"to_connection_id\":7,\"content\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                BusCodec.encode(new BusMessage.Targeted("n", 7, "hi")));
        assertArrayEquals("{\"group_id\":\"r\",\"message\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                BusCodec.encode(new BusMessage.Group("r", "hi")));
        // what a node of the previous version published (Gson, fields in any order, extra fields) still decodes
        assertEquals(new BusMessage.Targeted("n", 7, "hi"), BusCodec.decode("w:n",
                " {\"content\" : \"h\\u0069\", \"extra\":{\"a\":[1,2]}, \"to_connection_id\":7}\n"
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void presenceSharesTravelWithTheHeartbeatsAndReadAsHeartbeatsToAnOlderNode() throws Exception {
        BusMessage join = new BusMessage.MemberChange("a", BusMessage.MemberChange.Change.JOIN, "g", "u");
        assertEquals("n", BusCodec.channel(join));
        assertEquals("n", BusCodec.channel(new BusMessage.Resync("a", "b")));
        assertArrayEquals("{\"node\":\"a\",\"state\":\"join\",\"group_id\":\"g\",\"uid\":\"u\"}"
                .getBytes(StandardCharsets.UTF_8), BusCodec.encode(join));
        // an older node reads any state but "down" as a heartbeat: so does this one for a state it does not know
        assertEquals(new BusMessage.NodeBeat("a", false), BusCodec.decode("n",
                "{\"node\":\"a\",\"state\":\"later\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD,
                refusal("n", "{\"node\":\"a\",\"state\":\"join\",\"group_id\":\"g\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD,
                refusal("n", "{\"node\":\"a\",\"state\":\"resync\"}"));
    }

    @Test
    void clusterQueriesTravelOnTheirOwnChannelsAndAnswersOnTheAskersWorkerChannel() throws Exception {
        assertEquals("n", BusCodec.channel(new BusMessage.NodeBeat("a", false)));
        assertEquals("q", BusCodec.channel(new BusMessage.Query(1, "a", "{}")));
        assertEquals("w:a", BusCodec.channel(new BusMessage.Reply("a", 1, "b", "{}")));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("q", "{\"query_id\":1,\"question\":\"x\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("n", "{\"state\":\"up\"}"));
        // a push with content on a worker channel stays a push even if it carries a query id
        assertEquals(new BusMessage.Targeted("a", 3, "x"), BusCodec.decode("w:a",
                "{\"to_connection_id\":3,\"content\":\"x\",\"query_id\":1,\"answer\":\"y\",\"from\":\"b\"}"
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void malformedPayloadsAreRefusedWithANamedProblem() {
        assertEquals(MalformedBusMessageException.Problem.NOT_JSON_OBJECT, refusal("b", "not json"));
        assertEquals(MalformedBusMessageException.Problem.NOT_JSON_OBJECT, refusal("b", "[\"content\"]"));
        assertEquals(MalformedBusMessageException.Problem.NOT_JSON_OBJECT, refusal("b", "\"content\""));
        assertEquals(MalformedBusMessageException.Problem.NOT_JSON_OBJECT, refusal("b", "{\"content\":\"x\""));
        assertEquals(MalformedBusMessageException.Problem.NOT_JSON_OBJECT, refusal("b", "{\"content\":\"x\"} {}"));
        assertEquals(MalformedBusMessageException.Problem.NOT_JSON_OBJECT, refusal("b", ""));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("b", "{}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("b", "{\"content\":{\"a\":1}}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("g", "{\"group_id\":\"r\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("w:n", "{\"content\":\"x\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD,
                refusal("w:n", "{\"to_connection_id\":\"seven\",\"content\":\"x\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD,
                refusal("w:n", "{\"to_connection_id\":1.5,\"content\":\"x\"}"));
        assertEquals(MalformedBusMessageException.Problem.UNKNOWN_CHANNEL, refusal("news", "{\"content\":\"x\"}"));
    }

    @Test
    void anOversizedPayloadIsRefusedBeforeItIsDecodedAndNeverEncoded() {
        byte[] huge = new byte[BusCodec.MAX_BYTES + 1]; // zeros: not even JSON, so only the size check can name it
        assertEquals(MalformedBusMessageException.Problem.TOO_LARGE,
                assertThrows(MalformedBusMessageException.class, () -> BusCodec.decode("b", huge)).problem());
        // escaping can grow a text sixfold: the limit applies to the encoded bytes
        String controls = "\u0001".repeat(BusCodec.MAX_BYTES / 6 + 1);
        assertThrows(BusUnavailableException.class, () -> BusCodec.encode(new BusMessage.Broadcast(controls)));
        BusCodec.encode(new BusMessage.Broadcast("x".repeat(BusCodec.MAX_BYTES - 20)));
    }

    @Test
    void userMessagesRoundTripOnTheUserChannelAndBindsOnTheWorkerChannel() throws Exception {
        for (BusMessage m : List.of(
                new BusMessage.ToUser("user-42", "hi \"there\""),
                new BusMessage.UserGroup("user-42", "room-7", true),
                new BusMessage.UserGroup("user-42", "room-7", false),
                new BusMessage.BindUid("node-1", 9, "a@b.c", true),
                new BusMessage.BindUid("node-1", 9, "a@b.c", false))) {
            byte[] bytes = BusCodec.encode(m);
            assertEquals(m, BusCodec.decode(BusCodec.channel(m), bytes), new String(bytes, StandardCharsets.UTF_8));
        }
        assertEquals("u", BusCodec.channel(new BusMessage.ToUser("1", "x")));
        assertEquals("u", BusCodec.channel(new BusMessage.UserGroup("1", "g", true)));
        assertEquals("w:node-1", BusCodec.channel(new BusMessage.BindUid("node-1", 1, "1", true)));
        assertArrayEquals("{\"uid\":\"7\",\"content\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                BusCodec.encode(new BusMessage.ToUser("7", "hi")));
        assertArrayEquals("{\"uid\":\"7\",\"remove_group\":\"g\"}".getBytes(StandardCharsets.UTF_8),
                BusCodec.encode(new BusMessage.UserGroup("7", "g", false)));
        assertArrayEquals("{\"to_connection_id\":3,\"bind_uid\":\"7\"}".getBytes(StandardCharsets.UTF_8),
                BusCodec.encode(new BusMessage.BindUid("n", 3, "7", true)));
        // a push with content on a worker channel stays a push, whatever else it carries
        assertEquals(new BusMessage.Targeted("n", 3, "x"),
                BusCodec.decode("w:n", "{\"to_connection_id\":3,\"content\":\"x\",\"bind_uid\":\"7\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("u", "{\"content\":\"x\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("u", "{\"uid\":\"7\"}"));
        assertEquals(MalformedBusMessageException.Problem.MISSING_FIELD, refusal("w:n", "{\"bind_uid\":\"7\"}"));
    }
}
