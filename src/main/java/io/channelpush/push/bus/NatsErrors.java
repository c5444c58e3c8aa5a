package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * jnats' error callbacks of a {@link NatsBus}, as log lines; counts slow-consumer events. Thread-safe (jnats calls
 * it on its callback thread).
 */
final class NatsErrors implements ErrorListener {
    private static final Logger LOG = Logger.getLogger(NatsBus.class.getName());
    private static final long AUTH_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final NatsSecurity security;
    private final LongAdder slowConsumerEvents = new LongAdder();
    private final AtomicLong lastAuthWarning = new AtomicLong(System.nanoTime() - AUTH_WARNING_EVERY_NANOS);

    NatsErrors(NatsSecurity security) {
        this.security = security;
    }

    long slowConsumerEvents() {
        return slowConsumerEvents.sum();
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
        String auth = security.explain(error);
        if (auth == null) {
            LOG.warning(() -> "NATS server error: " + error);
            return;
        }
        // Refused credentials come back on every retry, 4 times a second: say it once a minute.
        long now = System.nanoTime();
        long last = lastAuthWarning.get();
        if (now - last >= AUTH_WARNING_EVERY_NANOS && lastAuthWarning.compareAndSet(last, now)) {
            LOG.severe(auth);
        }
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
        // Mostly failed connection attempts while a server is down, every 250 ms: the listener reports the outage.
        LOG.fine(() -> "NATS: " + exp);
    }

    @Override
    public void heartbeatAlarm(Connection conn, io.nats.client.JetStreamSubscription sub, long lastStreamSequence,
                               long lastConsumerSequence) {
        LOG.warning(() -> "NATS JetStream consumer " + sub.getConsumerName() + " sent no heartbeat (its server is "
                + "gone or stalls); consuming again after offset " + lastStreamSequence);
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
        slowConsumerEvents.increment();
        LOG.warning(() -> "NATS dropped messages for this node: its handlers fell " + consumer.getPendingMessageCount()
                + " messages behind (slow consumer, " + slowConsumerEvents.sum() + " times since start)");
    }
}
