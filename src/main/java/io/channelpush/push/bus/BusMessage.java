package io.channelpush.push.bus;

/**
 * A message between push nodes: what a publish asks every node (or one node) to deliver. {@link BusCodec} turns it
 * into the bytes the bus carries and back, and names its channel. Immutable records; safe to share between threads.
 */
public sealed interface BusMessage permits BusMessage.Broadcast, BusMessage.Targeted, BusMessage.Group,
        BusMessage.ToUser, BusMessage.UserGroup, BusMessage.BindUid, BusMessage.NodeBeat,
        BusMessage.Query, BusMessage.Reply, BusMessage.Reported, BusMessage.MemberChange,
        BusMessage.Resync {

    /** To every client of every node. */
    record Broadcast(String content) implements BusMessage {
    }

    /** To one connection of the node {@code workerId}. */
    record Targeted(String workerId, long connectionId, String content) implements BusMessage {
    }

    /** To every member of a group, on every node. */
    record Group(String groupId, String message) implements BusMessage {
    }

    /** To every connection of the user {@code uid}, on every node. */
    record ToUser(String uid, String content) implements BusMessage {
    }

    /**
     * Joins ({@code join}) or leaves the group {@code groupId} for every connection of the user {@code uid}, present
     * and future, on every node.
     */
    record UserGroup(String uid, String groupId, boolean join) implements BusMessage {
    }

    /**
     * Sets ({@code bind}) the user id of one connection of the node {@code workerId} to {@code uid}, or clears it
     * when it is {@code uid}.
     */
    record BindUid(String workerId, long connectionId, String uid, boolean bind) implements BusMessage {
    }

    /** The node {@code workerId} is alive ({@code leaving} false, every heartbeat) or stops cleanly (true). */
    record NodeBeat(String workerId, boolean leaving) implements BusMessage {
    }

    /**
     * A question to every node, answered with a {@link Reply} on the worker channel of {@code replyTo}; the question
     * is opaque here (presence questions today).
     */
    record Query(long queryId, String replyTo, String question) implements BusMessage {
    }

    /** The answer of node {@code from} to query {@code queryId} of node {@code toWorker}. */
    record Reply(String toWorker, long queryId, String from, String answer) implements BusMessage {
    }

    /**
     * A delivery ({@link Broadcast}, {@link Targeted}, {@link Group} or {@link ToUser}) whose publisher wants to know
     * how many connections got it: each node that delivers it answers with a {@link Reply} to query
     * {@code reportId} on the worker channel of {@code reportTo}, its answer the number of connections it queued
     * the message to.
     */
    record Reported(BusMessage delivery, long reportId, String reportTo) implements BusMessage {
        public Reported {
            if (!(delivery instanceof Broadcast || delivery instanceof Targeted || delivery instanceof Group
                    || delivery instanceof ToUser)) {
                throw new IllegalArgumentException("only deliveries carry a report request, not " + delivery);
            }
        }
    }

    /**
     * The node {@code workerId}'s share of presence events: its first connection of user {@code uid} in group
     * {@code groupId} joined ({@link Change#JOIN}) or its last one left ({@link Change#LEAVE}); or the start and end
     * of a re-announcement of all its shares ({@link Change#SYNC}, then one JOIN per share, then
     * {@link Change#SYNCED}; group and user null), after which the shares it did not re-announce are gone.
     */
    record MemberChange(String workerId, Change change, String groupId, String uid) implements BusMessage {
        /** What changed. */
        public enum Change {
            JOIN, LEAVE, SYNC, SYNCED
        }

        public MemberChange {
            if ((change == Change.JOIN || change == Change.LEAVE) && (groupId == null || uid == null)) {
                throw new IllegalArgumentException(change + " needs a group and a user");
            }
        }
    }

    /** Node {@code workerId} asks node {@code target} to re-announce its shares of presence events. */
    record Resync(String workerId, String target) implements BusMessage {
    }
}
