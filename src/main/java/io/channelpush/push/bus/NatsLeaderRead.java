package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.api.ConsumerInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run of a stream's messages from the stream's leader only, through a "direct" consumer: the kind
 * nats-server creates for mirrors and sources (config field {@code direct}). JetStream's API answers its creation
 * on the stream's leader alone, from that server's store, without the meta leader: an ordinary consumer is created
 * by the meta leader, and while any server sees no meta leader (nats-server 2.9.10: 4 to 9 s per election, and a
 * server resumed after a stall longer than its election timeout deposes the meta leader at once) every server that
 * sees none answers its creation with "JetStream system temporarily unavailable" (10008) at once. Only the leader
 * holds exactly what the stream acknowledged ({@link NatsHistory}), so that is also where a history must read.
 *
 * <p>The consumer is ephemeral, pushes to an inbox of this connection, and has at most the messages asked for
 * unacknowledged ({@code max_ack_pending}; they are never acknowledged), so the leader sends no more than that. It
 * is not deleted through the API (the meta leader does not know it): JetStream deletes it {@link #INACTIVE} after
 * the inbox is unsubscribed. Stateless; thread-safe (each call has its own inbox).
 */
final class NatsLeaderRead {
    /** How long a direct consumer outlives its inbox's subscription. */
    static final Duration INACTIVE = Duration.ofSeconds(2);

    private NatsLeaderRead() {
    }

    /**
     * Up to {@code count} messages of {@code stream} from sequence {@code from} on, in the order of its leader's
     * store, received within {@code wait} once the leader answered; fewer when its leader holds fewer by then.
     *
     * @throws IOException when nobody answered the creation within {@code apiTimeout} (the stream has no leader,
     *     e.g. during an election, or the connection is down)
     * @throws JetStreamApiException when the leader refused the consumer
     */
    static List<Message> read(Connection c, String stream, long from, int count, Duration apiTimeout, Duration wait)
            throws IOException, JetStreamApiException, InterruptedException {
        String inbox = c.createInbox();
        Subscription sub = c.subscribe(inbox);
        try {
            Message answer = c.request("$JS.API.CONSUMER.CREATE." + stream, request(stream, inbox, from, count),
                    apiTimeout);
            if (answer == null) {
                throw new IOException("no answer from the leader of JetStream stream " + stream + " within "
                        + apiTimeout.toMillis() + " ms (no leader?)");
            }
            new ConsumerInfo(answer).throwOnHasError();
            List<Message> messages = new ArrayList<>(count);
            long deadline = System.nanoTime() + wait.toNanos();
            while (messages.size() < count) {
                long left = deadline - System.nanoTime();
                Message m = left > 0 ? sub.nextMessage(Duration.ofNanos(left)) : null;
                if (m == null) {
                    break;
                }
                if (m.isJetStream()) {
                    messages.add(m);
                }
            }
            return messages;
        } finally {
            sub.unsubscribe();
        }
    }

    /**
     * The creation request (JetStream API JSON). Stream names are ours ({@code CHANNELPUSH_*}) and inboxes jnats'
     * ({@code _INBOX.} and base-62 characters): nothing to escape.
     */
    static byte[] request(String stream, String inbox, long from, int count) {
        return ("{\"stream_name\":\"" + stream + "\",\"config\":{\"deliver_subject\":\"" + inbox
                + "\",\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":" + from
                + ",\"ack_policy\":\"explicit\",\"max_ack_pending\":" + count
                + ",\"replay_policy\":\"instant\",\"inactive_threshold\":" + INACTIVE.toNanos()
                + ",\"direct\":true}}").getBytes(StandardCharsets.UTF_8);
    }
}
