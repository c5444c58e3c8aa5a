package io.channelpush.channel.daemon;

import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.RawFrame;
import io.channelpush.channel.protocol.StreamMessages;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Routing of one publish to the subscribers of its channels, within the memory bound: the version 1 rule (a channel
 * whose copies do not fit is skipped alone) and the all-or-nothing rule of publishes that are acknowledged or name a
 * stream (fit, append to the logs, route, ack). The subscription table is the {@link Broker}'s. Confined to the
 * event-loop thread.
 */
final class Publishing {
    private final Broker broker;
    private final Connections connections;
    private final Map<String, Set<Connection>> subscribers;
    private final MemoryBudget budget;
    private final WarmupReplay warmup;
    private final StreamService streams;

    Publishing(Broker broker, Connections connections, Map<String, Set<Connection>> subscribers, MemoryBudget budget,
               WarmupReplay warmup, StreamService streams) {
        this.broker = broker;
        this.connections = connections;
        this.subscribers = subscribers;
        this.budget = budget;
        this.warmup = warmup;
        this.streams = streams;
    }

    /**
     * A publish that has an id (it is acknowledged) or names a stream channel: all or nothing. Its copies must fit
     * the memory bound, then it is appended to each stream's log, then routed, then acknowledged.
     */
    void publish(Connection c, List<String> channels, IntFunction<byte[]> eventFrame,
                 StreamEventFrame streamEventFrame, Supplier<byte[]> data, long id) {
        StreamLog[] logs = new StreamLog[channels.size()];
        boolean anyStream = false;
        for (int i = 0; i < logs.length; i++) {
            logs[i] = streams.log(channels.get(i));
            anyStream |= logs[i] != null;
        }
        if (!anyStream && id == RawFrame.NO_ID) {
            publish(c, channels, eventFrame);
            return;
        }
        byte[] bytes = anyStream ? data.get() : null;
        byte[][] frames = new byte[logs.length][];
        Map<StreamLog, Long> next = new HashMap<>();
        for (int i = 0; i < logs.length; i++) {
            if (logs[i] != null) {
                long offset = next.merge(logs[i], logs[i].nextOffset(), (a, b) -> a + 1);
                frames[i] = streamEventFrame.frame(i, offset);
            } else if (subscribers.containsKey(channels.get(i)) || warmup.retaining(System.nanoTime())) {
                frames[i] = eventFrame.apply(i);
            }
        }
        if (!budget.fits(copies(channels, frames))) {
            for (int i = 0; i < logs.length; i++) {
                Set<Connection> subs = subscribers.get(channels.get(i));
                if (subs != null && frames[i] != null) {
                    shedLaggards(channels.get(i), subs, frames[i].length);
                }
            }
            if (!budget.fits(copies(channels, frames))) {
                streams.refuse(c, ErrorCode.OVER_CAPACITY, "publish dropped: its copies for the subscribers do not "
                        + "fit the daemon's memory bound of " + budget.limit() + " bytes (" + budget.used()
                        + " in use); retry later", id);
                return;
            }
        }
        long[] offsets = anyStream ? streams.append(c, channels, logs, bytes, id) : new long[0];
        if (offsets == null) {
            return;
        }
        List<Connection> overflowed = null;
        boolean retain = warmup.retaining(System.nanoTime());
        Map<String, Long> acked = new LinkedHashMap<>();
        for (int i = 0; i < logs.length; i++) {
            if (logs[i] != null) {
                acked.put(channels.get(i), offsets[i]);
            } else if (retain && frames[i] != null) {
                warmup.retain(channels.get(i), frames[i]);
            }
            overflowed = deliver(subscribers.get(channels.get(i)), frames[i], overflowed);
        }
        if (id != RawFrame.NO_ID) {
            streams.reply(c, StreamMessages.ack(id, acked), id, !acked.isEmpty());
        }
        if (overflowed != null) {
            for (Connection s : overflowed) {
                connections.slowConsumer(s);
            }
        }
    }

    /** The event frame of the i-th channel, a stream, with its offset. */
    @FunctionalInterface
    interface StreamEventFrame {
        byte[] frame(int i, long offset);
    }

    private long copies(List<String> channels, byte[][] frames) {
        long need = 0;
        for (int i = 0; i < frames.length; i++) {
            Set<Connection> subs = subscribers.get(channels.get(i));
            if (subs != null && frames[i] != null) {
                need += (long) frames[i].length * subs.size();
            }
        }
        return need;
    }

    private List<Connection> deliver(Set<Connection> subs, byte[] frame, List<Connection> overflowed) {
        if (subs == null || frame == null) {
            return overflowed;
        }
        for (Connection s : subs) {
            if (s.queue(frame)) {
                broker.countDelivered();
                connections.markDirty(s);
            } else {
                overflowed = overflowed == null ? new ArrayList<>() : overflowed;
                overflowed.add(s);
            }
        }
        return overflowed;
    }

    /** @param eventFrame the event frame for the i-th channel, built at most once per channel */
    private void publish(Connection c, List<String> channels, IntFunction<byte[]> eventFrame) {
        List<Connection> overflowed = null;
        boolean retain = warmup.retaining(System.nanoTime());
        for (int i = 0; i < channels.size(); i++) {
            String ch = channels.get(i);
            Set<Connection> subs = subscribers.get(ch);
            if (subs == null && !retain) {
                continue;
            }
            byte[] frame = eventFrame.apply(i);
            if (subs != null && !budget.fits((long) frame.length * subs.size())) {
                subs = shedLaggards(ch, subs, frame.length);
            }
            if (subs != null && !budget.fits((long) frame.length * subs.size())) {
                connections.refuse(c, ErrorCode.OVER_CAPACITY, "publish to \"" + ch + "\" dropped: its " + subs.size()
                        + " copies of " + frame.length + " bytes do not fit the daemon's memory bound of "
                        + budget.limit() + " bytes (" + budget.used() + " in use); retry later", null);
                continue;
            }
            if (retain) {
                warmup.retain(ch, frame);
            }
            if (subs == null) {
                continue;
            }
            for (Connection s : subs) {
                if (s.queue(frame)) {
                    broker.countDelivered();
                    connections.markDirty(s);
                } else {
                    overflowed = overflowed == null ? new ArrayList<>() : overflowed;
                    overflowed.add(s);
                }
            }
        }
        if (overflowed != null) {
            for (Connection s : overflowed) {
                connections.slowConsumer(s);
            }
        }
    }

    /**
     * At the memory bound, subscribers that do not read (more than {@link Connections#REPLY_SLACK_BYTES} unsent) are
     * closed as slow consumers before a publisher is refused: they hold the bytes, not the publisher. The furthest
     * behind go first, and only as many as the copies need: a subscriber that reads, but a few frames behind a daemon
     * that routes faster than it reads, is not closed while one that does not read at all holds the memory.
     *
     * @return the channel's subscribers left, or null
     */
    private Set<Connection> shedLaggards(String ch, Set<Connection> subs, int frameLength) {
        List<Connection> laggards = new ArrayList<>();
        for (Connection s : subs) {
            if (s.pendingBytes() >= Connections.REPLY_SLACK_BYTES) {
                laggards.add(s);
            }
        }
        laggards.sort(Comparator.comparingLong(Connection::pendingBytes).reversed());
        for (Connection s : laggards) {
            Set<Connection> left = subscribers.get(ch);
            if (left == null || budget.fits((long) frameLength * left.size())) {
                break;
            }
            connections.laggard(s);
        }
        return subscribers.get(ch);
    }
}
