package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MalformedBusMessageException;
import io.channelpush.push.bus.StreamPosition;
import io.channelpush.push.presence.Presence;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Messages from the bus to this node's sessions: decodes each payload once, finds the sessions it addresses
 * (every connection, a group's members, one connection, a user's connections) and queues it to them in each
 * session's format ({@link Frames}), with its stream position for JSON sessions; a session recovering that stream
 * holds it ({@link Recovery}). Non-delivery messages go to their owners (presence, users). Runs on the bus's
 * thread, one message at a time; never blocks. Thread-safe as its collaborators are.
 */
final class Delivery {
    private static final Logger LOG = Logger.getLogger(Delivery.class.getName());

    private final String workerId;
    private final ConnectionRegistry connections;
    private final GroupRegistry groups;
    private final UserRegistry users;
    /** Users' group changes go through it: it remembers them while it copies the table from another node. */
    private final UserGroupSync userGroups;
    private final Presence presence;
    /** Presence events, or null when they are off. */
    private final MemberEvents events;
    private final PushMetrics metrics;
    private final RateLimitedLog malformed = new RateLimitedLog(LOG, Level.WARNING);
    /** The last positions of the streams {@code b}, {@code g} and {@code u} this node delivered (written after delivering). */
    private volatile StreamPosition lastBroadcast;
    private volatile StreamPosition lastGroups;
    private volatile StreamPosition lastUsers;

    Delivery(String workerId, ConnectionRegistry connections, GroupRegistry groups, UserRegistry users,
             UserGroupSync userGroups, Presence presence, MemberEvents events, PushMetrics metrics) {
        this.workerId = workerId;
        this.connections = connections;
        this.groups = groups;
        this.users = users;
        this.userGroups = userGroups;
        this.presence = presence;
        this.events = events;
        this.metrics = metrics;
    }

    /** A payload from {@code channel}, with its stream position or null off the streams. */
    void onMessage(String channel, byte[] payload, StreamPosition position) {
        BusMessage m;
        try {
            m = BusCodec.decode(channel, payload);
        } catch (MalformedBusMessageException e) {
            malformed.log(() -> "worker " + workerId + ": dropped a bus message on channel " + channel
                    + " (" + e.problem() + ": " + e.getMessage() + "); another publisher on this bus does not speak "
                    + "this version's format");
            return;
        }
        if (m instanceof BusMessage.Reported r) {
            presence.report(r.reportTo(), r.reportId(), deliver(r.delivery(), position));
        } else if (m instanceof BusMessage.Broadcast || m instanceof BusMessage.Targeted
                || m instanceof BusMessage.Group || m instanceof BusMessage.ToUser) {
            deliver(m, position);
        } else if (m instanceof BusMessage.UserGroup ug) {
            userGroups.apply(ug);
        } else if (m instanceof BusMessage.NodeBeat nb) {
            presence.heard(nb);
            if (events != null) {
                events.heard(nb);
            }
        } else if (m instanceof BusMessage.MemberChange c) {
            if (events != null) {
                events.heard(c);
            }
        } else if (m instanceof BusMessage.Resync r) {
            if (events != null) {
                events.heard(r);
            }
        } else if (m instanceof BusMessage.Query q) {
            presence.asked(q);
        } else if (m instanceof BusMessage.Reply r) {
            presence.answered(r);
        } else if (m instanceof BusMessage.BindUid b) {
            PushSession s = connections.get(b.connectionId());
            if (s == null) {
                LOG.fine(() -> "worker " + workerId + ": connection " + b.connectionId()
                        + " does not exist; bind_uid dropped");
            } else {
                users.apply(b, s);
            }
        }
        if (position != null) {
            // after delivering: a connection that reads a position got every message up to it that reached it
            // before its welcome, and gets every later one after (or can recover it from there)
            if (Channels.BROADCAST.equals(channel)) {
                lastBroadcast = position;
            } else if (Channels.GROUPS.equals(channel)) {
                lastGroups = position;
            } else if (Channels.USERS.equals(channel)) {
                lastUsers = position;
            }
        }
    }

    /**
     * The last position of stream {@code channel} ({@link Channels#BROADCAST}, {@link Channels#GROUPS} or
     * {@link Channels#USERS}) this node delivered, or null before its first message: any later message of the
     * stream has a higher offset.
     */
    StreamPosition lastDelivered(String channel) {
        return switch (channel) {
            case Channels.BROADCAST -> lastBroadcast;
            case Channels.GROUPS -> lastGroups;
            case Channels.USERS -> lastUsers;
            default -> null;
        };
    }

    /** Delivers a push to this node's connections it addresses; returns how many it was queued to. */
    private int deliver(BusMessage m, StreamPosition position) {
        if (m instanceof BusMessage.Broadcast b) {
            return connections.isEmpty() ? 0 : sendAll(connections.all(), connections.size(),
                    new Frames(Frames.BROADCAST, position, b.content(), true));
        }
        if (m instanceof BusMessage.Targeted t) {
            PushSession s = connections.get(t.connectionId());
            if (s == null) {
                LOG.fine(() -> "worker " + workerId + ": connection " + t.connectionId()
                        + " does not exist; push dropped");
                return 0;
            }
            return sendAll(List.of(s), 1, new Frames(Frames.CONNECTION, null, t.content(), false));
        }
        if (m instanceof BusMessage.Group g) {
            Set<PushSession> members = groups.members(g.groupId());
            return members.isEmpty() ? 0 : sendAll(members, members.size(),
                    new Frames(Frames.GROUP_PREFIX + g.groupId(), position, g.message(), members.size() > 1));
        }
        BusMessage.ToUser u = (BusMessage.ToUser) m;
        Set<PushSession> mine = users.connections(u.uid());
        return mine.isEmpty() ? 0 : sendAll(mine, mine.size(),
                new Frames(Frames.USER_PREFIX + u.uid(), position, u.content(), mine.size() > 1));
    }

    /**
     * Queues {@code frames} to {@code expected} sessions, counting the deliveries before queueing (so that a client
     * never sees a message the counter does not show yet), corrected afterwards by what was not queued.
     */
    private int sendAll(Collection<PushSession> sessions, int expected, Frames frames) {
        metrics.delivered.add(expected);
        int queued = 0;
        boolean positioned = frames.position() != null;
        for (PushSession s : sessions) {
            boolean sent = positioned && s.json ? s.streams().send(frames.stream(), frames.position(), frames.json())
                    : s.send(frames.forSession(s));
            if (sent) {
                queued++;
            }
        }
        if (queued != expected) {
            metrics.delivered.add(queued - expected);
        }
        return queued;
    }
}
