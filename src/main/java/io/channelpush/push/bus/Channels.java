package io.channelpush.push.bus;

/**
 * The bus's channel names, one namespace per kind of traffic so that no id can reach another kind:
 * {@value #BROADCAST} carries broadcasts, {@value #GROUPS} group messages (the group id travels in the payload),
 * {@value #USERS} pushes to a user and a user's group changes (the user id travels in the payload; every node
 * receives them and looks the user up locally), and {@code w:<worker id>} pushes to one node (and binds user ids
 * to its connections, and carries the answers to this node's cluster queries), {@value #NODES} the nodes' heartbeats
 * and {@value #QUERIES} the cluster queries. A worker id is always behind {@code w:}, so a worker called
 * {@code b} or {@code broadcast} is just another worker; group ids never name a channel. On NATS the kinds become
 * subjects {@code channelpush.b}, {@code channelpush.g}, {@code channelpush.u} and {@code channelpush.w.<escaped id>} ({@link NatsSubjects}).
 * Every node of a cluster must use the same names: nodes of versions before this scheme cannot share a bus with
 * nodes of this one. Stateless.
 */
public final class Channels {
    /** Broadcasts to every client of every node. */
    public static final String BROADCAST = "b";
    /** Group messages; each node delivers to its members of the group named in the payload. */
    public static final String GROUPS = "g";
    /** Pushes to a user and a user's group changes; each node delivers to its connections of that user. */
    public static final String USERS = "u";
    /** Heartbeats of the nodes ({@link BusMessage.NodeBeat}); every node hears every node. */
    public static final String NODES = "n";
    /** Questions to every node ({@link BusMessage.Query}); answers go to the asker's worker channel. */
    public static final String QUERIES = "q";
    private static final String WORKER_PREFIX = "w:";

    private Channels() {
    }

    /**
     * Whether the bus keeps a channel's messages as a stream with positions ({@link StreamPosition}): broadcasts,
     * group messages and pushes to users. All groups share the stream of {@link #GROUPS} (one offset space; a
     * group's messages are that stream's messages for the group, in order, with increasing but not contiguous
     * offsets); all users likewise share the stream of {@link #USERS}, whose users' group changes take offsets too.
     */
    public static boolean isStream(String channel) {
        return BROADCAST.equals(channel) || GROUPS.equals(channel) || USERS.equals(channel);
    }

    /** The channel of pushes to connections of the node {@code workerId}. */
    public static String worker(String workerId) {
        return WORKER_PREFIX + workerId;
    }

    /** The worker id a {@link #worker} channel names, or null for any other channel. */
    public static String workerOf(String channel) {
        return channel.startsWith(WORKER_PREFIX) ? channel.substring(WORKER_PREFIX.length()) : null;
    }
}
