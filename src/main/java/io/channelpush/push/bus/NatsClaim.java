package io.channelpush.push.bus;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The exclusive channel of a {@link NatsBus}. NATS core has no exclusive subscription, so the nodes agree among
 * themselves on a claim subject, {@code channelpush.claim.<token>} (the channel's subject token, see
 * {@link NatsSubjects}): a node that wants the channel publishes a probe there, with a reply inbox, and waits
 * {@link #PROBE_WINDOW}; the node holding the channel answers every probe, and a prober that gets an answer refuses
 * itself. Two nodes probing at once hear each other's probe: the one with the greater instance id gives way. A
 * refused node probes again every {@link #RETRY}, so it takes over once the holder is gone; every node probes again
 * after a reconnect (a holder keeps delivering meanwhile; two holders that meet, after a partition, both give way
 * and the retries settle on one).
 *
 * <p>Race window: the agreement is only as good as NATS delivery within the probe window. While the servers of a
 * cluster are partitioned, or a probe or its answer takes longer than {@link #PROBE_WINDOW} to cross, two nodes
 * with the same id can both hold the channel; the next probe of either (a reconnect, or a retry of a refused node)
 * settles it. A node with the same id that runs an older version (no claim at all) is not detected.
 *
 * <p>Thread-safe: probes and answers arrive on the bus's dispatcher thread, the window ends on this object's timer
 * thread; state changes are guarded by this object, listener calls are made outside the lock.
 */
final class NatsClaim implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NatsClaim.class.getName());
    static final Duration PROBE_WINDOW = Duration.ofMillis(500);
    static final Duration RETRY = Duration.ofSeconds(2);

    private enum State { PROBING, HELD, REFUSED }

    private final String channel;
    private final String subject;
    private final String instance = UUID.randomUUID().toString();
    private final String name;
    private final MessageBus.Listener listener;
    private final ScheduledExecutorService timer;
    private Connection connection; // guarded by this
    private String inbox; // guarded by this
    private State state = State.PROBING; // guarded by this
    private State reported; // guarded by this: the last state told to the listener
    private long round; // guarded by this
    private boolean closed; // guarded by this

    NatsClaim(String channel, String name, MessageBus.Listener listener) {
        this.channel = channel;
        this.subject = NatsSubjects.PREFIX + "claim." + NatsSubjects.subject(channel).substring(NatsSubjects.PREFIX.length());
        this.name = name + " (pid " + ProcessHandle.current().pid() + " on " + host() + ")";
        this.listener = listener;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "nats-claim-" + channel);
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** Listens on the claim subject and an inbox for answers, then sends the first probe. */
    synchronized void start(Connection c, Dispatcher d) {
        connection = c;
        inbox = c.createInbox();
        d.subscribe(subject, this::onProbe);
        d.subscribe(inbox, this::onAnswer);
        probe();
    }

    /**
     * After a reconnect: probe again, as another node may have taken the channel meanwhile. A holder goes on
     * holding (and delivering) while it probes; an answer from another holder makes it give way.
     */
    synchronized void reconnected() {
        if (connection != null && !closed) {
            if (state != State.HELD) {
                state = State.PROBING;
            }
            probe();
        }
    }

    synchronized boolean held() {
        return state == State.HELD;
    }

    /** Must hold the lock. */
    private void probe() {
        long r = ++round;
        JsonObject p = new JsonObject();
        p.addProperty("instance", instance);
        p.addProperty("name", name);
        try {
            connection.publish(subject, inbox, p.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IllegalStateException e) {
            LOG.fine(() -> "claim probe for " + channel + " not sent: " + e.getMessage());
        }
        timer.schedule(() -> windowEnded(r), PROBE_WINDOW.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void windowEnded(long r) {
        Runnable tell = null;
        synchronized (this) {
            if (closed || r != round || state != State.PROBING
                    || connection.getStatus() != Connection.Status.CONNECTED) {
                return; // not probed for real: the next (re)connect probes again
            }
            state = State.HELD;
            if (reported != State.HELD) {
                reported = State.HELD;
                tell = () -> listener.onExclusiveHeld(channel);
            }
        }
        tell.run();
    }

    private void onProbe(Message m) {
        JsonObject p = parse(m);
        if (p == null || instance.equals(text(p, "instance")) || m.getReplyTo() == null) {
            return;
        }
        String theirs = text(p, "instance");
        boolean answer;
        synchronized (this) {
            answer = state == State.HELD || state == State.PROBING && instance.compareTo(theirs) < 0;
        }
        if (answer) {
            JsonObject a = new JsonObject();
            a.addProperty("instance", instance);
            a.addProperty("name", name);
            m.getConnection().publish(m.getReplyTo(), a.toString().getBytes(StandardCharsets.UTF_8));
        } else {
            refuse(text(p, "name") + " (probing at the same time)");
        }
    }

    private void onAnswer(Message m) {
        JsonObject p = parse(m);
        if (p != null && !instance.equals(text(p, "instance"))) {
            refuse(text(p, "name"));
        }
    }

    private void refuse(String holder) {
        Runnable tell = null;
        synchronized (this) {
            if (closed || state == State.REFUSED) {
                return;
            }
            state = State.REFUSED;
            long r = round;
            timer.schedule(() -> retry(r), RETRY.toMillis(), TimeUnit.MILLISECONDS);
            if (reported != State.REFUSED) {
                reported = State.REFUSED;
                tell = () -> listener.onExclusiveRefused(channel, "held by " + holder);
            }
        }
        if (tell != null) {
            tell.run();
        }
    }

    private synchronized void retry(long r) {
        if (!closed && r == round && state == State.REFUSED) {
            state = State.PROBING;
            probe();
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown host";
        }
    }

    private static JsonObject parse(Message m) {
        try {
            var e = JsonParser.parseString(new String(m.getData(), StandardCharsets.UTF_8));
            return e.isJsonObject() && e.getAsJsonObject().has("instance") ? e.getAsJsonObject() : null;
        } catch (JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    private static String text(JsonObject o, String field) {
        var e = o.get(field);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "?";
    }

    /** Stops the timer; the subscriptions end with the bus's connection. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
    }
}
