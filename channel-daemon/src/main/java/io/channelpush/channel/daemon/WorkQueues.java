package io.channelpush.channel.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's work queues ({@code enqueue}, {@code watch}, {@code unwatch}, {@code reserve}): each item goes to one
 * ready watcher, round robin, or waits in its {@link WorkQueue}, bounded by {@code --queue-limit} items and by half
 * of the daemon's memory bound; a watcher holds one item until its next {@code reserve}, and a watcher that closes
 * gives it back to the front of its queue. A queue exists while it has items or watchers. Part of the
 * {@link Broker}; confined to the event-loop thread.
 */
final class WorkQueues {
    private final Map<String, WorkQueue> queues = new HashMap<>();
    private final Connections connections;
    private final MemoryBudget budget;
    private final int queueLimit;

    WorkQueues(Connections connections, MemoryBudget budget, int queueLimit) {
        this.connections = connections;
        this.budget = budget;
        this.queueLimit = queueLimit;
    }

    void enqueue(Connection c, Message m) throws ProtocolException {
        String name = m.string("queue");
        JsonElement data = m.element("data");
        enqueue(c, name, m.size(), () -> Messages.job(name, data.toString()));
    }

    /** @param size the enqueue frame's body bytes; @param job builds the job frame, only when it can be kept */
    void enqueue(Connection c, String name, int size, Supplier<byte[]> job) {
        WorkQueue q = queues.get(name);
        if (q != null && q.items.size() >= queueLimit) {
            connections.refuse(c, ErrorCode.QUEUE_FULL, "queue \"" + name + "\" already holds " + q.items.size()
                    + " items (--queue-limit); the item was dropped", null);
            return;
        }
        // the job frame is about as long as the enqueue frame: refuse before building it when it cannot fit
        byte[] frame = budget.queuedFits(size) ? job.get() : null;
        if (frame == null || !budget.tryReserveQueued(frame.length)) {
            connections.refuse(c, ErrorCode.OVER_CAPACITY, "item of " + size + " bytes for queue \"" + name
                    + "\" dropped: queue items may use half of the daemon's memory bound of " + budget.limit()
                    + " bytes (--memory-limit-bytes), " + budget.used() + " bytes in use; retry later", null);
            return;
        }
        q = q != null ? q : queues.computeIfAbsent(name, WorkQueue::new);
        Connection watcher = q.takeReady();
        if (watcher != null) {
            give(watcher, q, frame);
        } else {
            q.items.addLast(frame);
        }
    }

    void watch(Connection c, Message m) throws ProtocolException {
        for (String name : m.strings("queues")) {
            if (c.closing()) {
                return;
            }
            if (c.queues.contains(name)) {
                continue;
            }
            WorkQueue q = queues.computeIfAbsent(name, WorkQueue::new);
            c.queues.add(name);
            q.watchers.add(c);
            if (c.ready) {
                if (!q.items.isEmpty()) {
                    give(c, q, q.items.pollFirst());
                } else {
                    q.markReady(c);
                }
            }
        }
    }

    void unwatch(Connection c, Message m) throws ProtocolException {
        for (String name : m.strings("queues")) {
            if (c.queues.remove(name)) {
                dropWatcher(name, c);
            }
        }
    }

    void reserve(Connection c) {
        if (c.held != null) {
            budget.releaseQueued(c.held.job().length);
        }
        c.held = null;
        c.ready = true;
        int n = c.queues.size();
        for (int i = 0; i < n; i++) {
            WorkQueue q = queues.get(c.queues.get((c.nextQueueIndex + i) % n));
            if (!q.items.isEmpty()) {
                c.nextQueueIndex = (c.nextQueueIndex + i + 1) % n;
                give(c, q, q.items.pollFirst());
                return;
            }
        }
        for (String name : c.queues) {
            queues.get(name).markReady(c);
        }
    }

    /** Hands a job to a watcher; its bytes stay counted until the watcher's next reserve. */
    private void give(Connection c, WorkQueue q, byte[] job) {
        c.ready = false;
        c.held = new Connection.HeldItem(q.name, job);
        for (String name : c.queues) {
            queues.get(name).unmarkReady(c);
        }
        connections.send(c, job);
    }

    /** Forgets a closing connection as a watcher; an item it held goes back to the front of its queue. */
    void remove(Connection c) {
        for (String name : c.queues) {
            dropWatcher(name, c);
        }
        c.queues.clear();
        c.ready = false;
        Connection.HeldItem held = c.held;
        c.held = null;
        if (held != null) {
            WorkQueue q = queues.computeIfAbsent(held.queue(), WorkQueue::new);
            Connection other = q.takeReady();
            if (other != null) {
                give(other, q, held.job());
            } else {
                q.items.addFirst(held.job());
            }
        }
    }

    private void dropWatcher(String name, Connection c) {
        WorkQueue q = queues.get(name);
        if (q == null) {
            return;
        }
        q.watchers.remove(c);
        q.unmarkReady(c);
        if (q.unused()) {
            queues.remove(name);
        }
    }

    /** The {@code queues} of a {@code stats_reply}: per queue, its depth and watchers, by name. */
    JsonObject stats() {
        JsonObject qs = new JsonObject();
        queues.keySet().stream().sorted().forEach(k -> {
            JsonObject q = new JsonObject();
            q.addProperty("depth", queues.get(k).items.size());
            q.addProperty("watchers", queues.get(k).watchers.size());
            qs.add(k, q);
        });
        return qs;
    }
}
