package io.channelpush.push;

import io.channelpush.push.auth.ConnectionIdentity;
import io.channelpush.push.auth.ConnectionTokens;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.MessageBus;
import io.channelpush.push.bus.StreamPosition;
import io.channelpush.push.presence.EventScope;
import io.channelpush.push.presence.Presence;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.websocket.Session;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One push node, built once per deployment: the one place that wires its parts, and the surface the endpoint, the
 * publisher, the health checks and the tests use. The parts: its connections ({@link ConnectionRegistry}) opened and
 * closed by {@link SessionLifecycle}, its groups, its users ({@link UserRegistry}), its part in cluster presence
 * ({@link Presence}), its bus subscriptions (the streams {@code b}, {@code g} and {@code u} with their positions,
 * handed to {@link Delivery}), what it hears of the bus itself ({@link NodeBusListener}), its publishes
 * ({@link NodePublisher}: acknowledged, reported and unacknowledged), its {@code recover} commands
 * ({@link Recoveries}), its life ({@link NodeLife}: accepting, stopped, dead) as the health checks read it
 * ({@link NodeHealth}) and what a handshake is checked against ({@link Admission}). It does not know the HTTP
 * publisher ({@code io.channelpush.push.publish}), which calls {@link #publishAcked} (and {@link #publishReported});
 * the unacknowledged {@link #publishUnacked} remains for tests and benchmarks. Servlets and filters reach it through
 * the servlet context attribute {@link #ATTRIBUTE}. Thread-safe.
 */
public final class PushNode implements AutoCloseable {
    /** Servlet context attribute holding the node. */
    public static final String ATTRIBUTE = PushNode.class.getName();

    private static final Logger LOG = Logger.getLogger(PushNode.class.getName());

    private final PushConfig config;
    private final MessageBus bus;
    private final PushMetrics metrics = new PushMetrics();
    private final ConnectionRegistry connections;
    private final GroupRegistry groups = new GroupRegistry();
    private final UserRegistry users;
    private final NodeLife life;
    private final NodeHealth health;
    private final Admission admission;
    private final PublishDispatch publishDispatch;
    private final Presence presence;
    /** Copies the users' groups from another node when this one joins the cluster. */
    private final UserGroupSync userGroups;
    private final Delivery delivery;
    private final NodePublisher publisher;
    private final SessionLifecycle sessions;
    private final Recoveries recoveries;
    /** Presence events, or null when {@code channelpush.presence-events} is off. */
    private final MemberEvents memberEvents;

    /**
     * @param busFactory builds the bus given the listener this node wants to hear connection changes on
     * @param fatalErrors told, once, when the node dies of an error it cannot recover from
     */
    public PushNode(PushConfig config, Function<MessageBus.Listener, MessageBus> busFactory, FatalErrors fatalErrors) {
        this.config = config;
        this.life = new NodeLife(config.workerId(), fatalErrors);
        ConnectionSlots slots = new ConnectionSlots(config.maxConnections());
        this.admission = new Admission(new OriginPolicy(config.allowedOrigins(), config.allowMissingOrigin()),
                ConnectionTokens.fromSetting(config.connectionKeys()), slots);
        this.users = new UserRegistry(config.workerId(), groups, config.maxGroupsPerConnection(),
                config.maxUsersWithGroups());
        this.connections = new ConnectionRegistry(config, slow -> metrics.slowClientDisconnects.increment(),
                this::threadDied);
        this.bus = busFactory.apply(new NodeBusListener(config.workerId(), metrics, this::bus,
                this::missedUserChanges, this::threadDied, why -> life.fatal("its bus stopped", why)));
        this.health = new NodeHealth(life, bus, users);
        // before presence: its first heartbeat is published at once
        this.publisher = new NodePublisher(bus, new AckedPublisher(bus, config.publishAckTimeoutMillis(), metrics),
                metrics);
        // before the subscriptions: a heartbeat may arrive at once
        LocalPresence local = new LocalPresence(config.workerId(), connections, users, groups);
        this.presence = new Presence(config.workerId(), config.presenceHeartbeatMillis(),
                config.presenceTimeoutMillis(), config.presenceWaitMillis(), local::answer, this::publish,
                this::threadDied);
        this.recoveries = new Recoveries(bus, metrics, config.maxRecoverMessages(), config.maxHistoryRequests());
        EventScope scope = EventScope.parse(config.presenceEvents());
        this.memberEvents = scope.enabled() ? new MemberEvents(config.workerId(), scope, groups, presence,
                this::publish, config.presenceHeartbeatMillis(), this::threadDied) : null;
        if (memberEvents != null) {
            groups.watch(memberEvents::update);
        }
        this.userGroups = new UserGroupSync(config.workerId(), users, presence::members, presence::askNode,
                config.presenceHeartbeatMillis() * 3L / 2, this::threadDied);
        this.delivery = new Delivery(config.workerId(), connections, groups, users, userGroups, presence,
                memberEvents, metrics);
        bus.subscribeStream(Channels.BROADCAST, (payload, at) -> delivery.onMessage(Channels.BROADCAST, payload, at));
        String own = Channels.worker(config.workerId());
        bus.subscribeExclusive(own, payload -> delivery.onMessage(own, payload, null));
        bus.subscribeStream(Channels.GROUPS, (payload, at) -> delivery.onMessage(Channels.GROUPS, payload, at));
        bus.subscribeStream(Channels.USERS, (payload, at) -> delivery.onMessage(Channels.USERS, payload, at));
        for (String channel : List.of(Channels.NODES, Channels.QUERIES)) {
            bus.subscribe(channel, payload -> delivery.onMessage(channel, payload, null));
        }
        this.sessions = new SessionLifecycle(config.workerId(), connections, slots, users, groups, metrics,
                admission.tokensRequired(), life::stopping, this::lastDelivered);
        this.publishDispatch = new PublishDispatch(!bus.publishNeverBlocks(), config.workerId(), this::threadDied);
        LOG.info(() -> "worker " + config.workerId() + " started; bus " + bus.describe());
        String groupWarning = config.clientGroupMessagesWarning();
        if (groupWarning != null) {
            LOG.warning(groupWarning);
        }
    }

    /**
     * The node of a deployment, for its servlets and filters.
     *
     * @throws ServletException when {@link PushContextListener} has not put one there
     */
    public static PushNode of(ServletContext ctx) throws ServletException {
        if (ctx.getAttribute(ATTRIBUTE) instanceof PushNode node) {
            return node;
        }
        throw new ServletException("no push node in the servlet context: PushContextListener did not run");
    }

    private MessageBus bus() {
        return bus;
    }

    /** The bus lost changes of the users' groups for this node: they are copied again from another node. */
    private void missedUserChanges(String why) {
        UserGroupSync sync = userGroups; // null while the bus reports before the constructor made it
        if (sync != null) {
            sync.missedChanges(why);
        }
    }

    /** Where publishes may run: the one decision for the HTTP publisher and the WebSocket commands alike. */
    public PublishDispatch publishDispatch() {
        return publishDispatch;
    }

    /** What a handshake is checked against: origins, connection tokens, connection slots. */
    Admission admission() {
        return admission;
    }

    public PushConfig config() {
        return config;
    }

    public PushMetrics metrics() {
        return metrics;
    }

    public String workerId() {
        return config.workerId();
    }

    public int connectionCount() {
        return connections.size();
    }

    public int groupCount() {
        return groups.groupCount();
    }

    /** Live, ready, and why not: what the health checks and metrics read. */
    public NodeHealth health() {
        return health;
    }

    /**
     * Marks the node dead (liveness and readiness 503) and tells the {@link FatalErrors} sink, once. The
     * uncaught-exception handler of every thread the node owns ends here.
     */
    void threadDied(Thread thread, Throwable error) {
        life.fatal("thread " + thread.getName() + " died", error);
    }

    // ---- connections (called by the endpoint)

    /** Opens an anonymous connection. */
    PushSession open(Session session) {
        return open(session, null);
    }

    /** @param identity from the connection's token, or null (anonymous; refused when connection keys are set) */
    PushSession open(Session session, ConnectionIdentity identity) {
        return sessions.open(session, identity);
    }

    /**
     * The last position of a stream ({@code b}, {@code g}, {@code u}) this node delivered or, before its first
     * message, where its subscription of the stream started ({@link MessageBus#streamPosition}, the bus's head
     * then): every later message of the stream reaches this node's connections. Null when the bus has not told it yet.
     */
    StreamPosition lastDelivered(String channel) {
        StreamPosition p = delivery.lastDelivered(channel);
        return p != null ? p : bus.streamPosition(channel);
    }

    /** Gives back everything the closed session {@code s} held. */
    void closed(PushSession s) {
        sessions.closed(s);
    }

    /** Cluster presence: membership, and questions to every node (the publisher's presence queries). */
    public Presence presence() {
        return presence;
    }

    /** Presence events, or null when they are off (for tests). */
    MemberEvents memberEvents() {
        return memberEvents;
    }

    /** The node's users (for tests without sockets). */
    UserRegistry users() {
        return users;
    }

    /**
     * Whether every connection carries its token's user id ({@code channelpush.connection-keys} is set): then
     * {@code bind_uid} cannot change any.
     */
    public boolean connectionsCarryTokens() {
        return admission.tokensRequired();
    }

    /**
     * Whether giving {@code uid} the group {@code group} would pass this node's bounds. Every node hears every
     * change of a user's groups, so the publisher's node answers for the cluster.
     */
    public UserGroupChange checkUserGroup(String uid, String group) {
        return users.wouldAdd(uid, group);
    }

    void join(PushSession s, String group) {
        groups.join(group, s);
    }

    void leave(PushSession s, String group) {
        groups.leave(group, s);
    }

    /** The node's {@code recover} commands. */
    Recoveries recoveries() {
        return recoveries;
    }

    // ---- publishing (called by the HTTP publisher and the endpoint)

    /**
     * Publishes a delivery (broadcast, targeted, group or user push) or a user change ({@link BusMessage.UserGroup},
     * {@link BusMessage.BindUid}) with the bus's acknowledgement: the future completes with the stream position
     * (null off the streams) once the bus has it, or fails with {@link BusUnavailableException} (certainly not
     * taken: 503) or {@link io.channelpush.push.bus.PublishOutcomeUnknownException} (fate unknown: 504), at the
     * latest about {@code channelpush.publish-ack-timeout-ms} later. Never blocks; the future completes on a bus
     * thread (callbacks must not block).
     */
    public CompletableFuture<StreamPosition> publishAcked(BusMessage m) {
        return publisher.publishAcked(m);
    }

    /**
     * Publishes without acknowledgement (tests and benchmarks): a delivery (broadcast, targeted, group or user
     * push), counted as published, or a user change ({@link BusMessage.UserGroup}, {@link BusMessage.BindUid}: the
     * node holding the connection applies a bind; a connection with a token keeps its token's user id). On a bus
     * that may wait, call it only from a thread that may block (see {@link PublishDispatch}).
     *
     * @throws BusUnavailableException when the bus refuses it
     */
    public void publishUnacked(BusMessage m) {
        publisher.publishCounted(m);
    }

    /**
     * Publishes a delivery (broadcast, targeted, group or user push) and waits, at most
     * {@code channelpush.presence-wait-ms}, for the number of connections each node queued it to: the node it
     * targets, or every node counted now. Blocks: only from a servlet worker thread.
     *
     * @return the answer (JSON), see {@link io.channelpush.push.presence.PublishReport}
     * @throws io.channelpush.push.presence.ScatterGather.Full when too many queries and reports wait already
     * @throws io.channelpush.push.bus.PublishOutcomeUnknownException when the bus did not acknowledge in time
     */
    public String publishReported(BusMessage delivery) throws InterruptedException {
        return publisher.publishReported(delivery, presence);
    }

    /** Without acknowledgement, for presence and its events; see {@link NodePublisher#publish}. */
    private void publish(BusMessage m) {
        publisher.publish(m);
    }

    /**
     * Stops accepting, closes every WebSocket with 1001 (going away), then closes the bus. Idempotent.
     */
    @Override
    public void close() {
        if (!life.stop()) {
            return;
        }
        int n = connections.closeAll(CloseCode.SHUTDOWN, TimeUnit.SECONDS.toNanos(2));
        connections.close();
        publishDispatch.close();
        if (memberEvents != null) {
            memberEvents.close();
        }
        userGroups.close();
        presence.close();
        bus.close();
        LOG.info(() -> "worker " + config.workerId() + " stopped; closed " + n + " connections with 1001");
    }

    /** Turns readiness off before a shutdown, so load balancers stop sending new clients. */
    public void stopAccepting() {
        life.stopAccepting();
    }
}
