package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamInfo;
import io.nats.client.support.JsonParser;
import org.junit.jupiter.api.Test;

/** Which server a history consumer must be on, from JetStream's answers (as 2.9 sends them), without a server. */
class NatsPlacementTest {
    private static final String STREAM = "{\"config\":{\"name\":\"CHANNELPUSH_G\",\"subjects\":[\"channelpush.g\"]},"
            + "\"created\":\"2026-12-03T06:38:14.3Z\",\"state\":{\"messages\":3,\"first_seq\":1,\"last_seq\":3}";

    @Test
    void theLeaderIsTheOneTheStreamInfoNamesAndAnyServerWithoutACluster() throws Exception {
        StreamInfo clustered = new StreamInfo(JsonParser.parse(STREAM + ",\"cluster\":{\"name\":\"c\",\"leader\":\"s3\","
                + "\"replicas\":[{\"name\":\"s1\",\"current\":true},{\"name\":\"s2\",\"current\":true}]}}"));
        assertEquals("s3", NatsPlacement.leader(clustered));
        StreamInfo single = new StreamInfo(JsonParser.parse(STREAM + "}"));
        assertNull(NatsPlacement.leader(single));
    }

    @Test
    void onlyAConsumerOnTheLeaderReadsWhatTheStreamAcknowledged() throws Exception {
        ConsumerInfo onS2 = consumer("{\"name\":\"c\",\"leader\":\"s2\"}");
        assertFalse(NatsPlacement.onLeader(onS2, "s3"), "a follower may hold other messages at the same offsets");
        assertTrue(NatsPlacement.onLeader(onS2, "s2"));
        assertTrue(NatsPlacement.onLeader(onS2, null), "no cluster: any server");
        assertFalse(NatsPlacement.onLeader(consumer(null), "s2"), "placement unknown");
    }

    private static ConsumerInfo consumer(String cluster) throws Exception {
        return new ConsumerInfo(JsonParser.parse("{\"stream_name\":\"CHANNELPUSH_G\",\"name\":\"x\","
                + "\"config\":{\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":5},"
                + "\"created\":\"2026-12-03T06:38:14.3Z\",\"delivered\":{\"consumer_seq\":0,\"stream_seq\":0},"
                + "\"ack_floor\":{\"consumer_seq\":0,\"stream_seq\":0},\"num_pending\":0"
                + (cluster == null ? "" : ",\"cluster\":" + cluster) + "}"));
    }
}
