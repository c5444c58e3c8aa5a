package io.channelpush.push;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of a {@link PushSession} that most connections never need, made at their first use: an idle
 * connection holds four null fields instead of a groups set, a {@link SessionStreams}, a {@link ClientRates} and a
 * {@link LowWater} (about 250 bytes each connection). Each part is published with a compare-and-set, so every thread
 * gets the one instance made first, whatever thread asks first; once made, a part stays for the session's life.
 * Thread-safe.
 */
abstract sealed class SessionParts permits SessionQueue {
    private static final VarHandle GROUPS = fieldHandle(MethodHandles.lookup(), "groups", Set.class);
    private static final VarHandle STREAMS = fieldHandle(MethodHandles.lookup(), "streams", SessionStreams.class);
    private static final VarHandle RATES = fieldHandle(MethodHandles.lookup(), "rates", ClientRates.class);
    private static final VarHandle LOW_WATER = fieldHandle(MethodHandles.lookup(), "lowWater", LowWater.class);

    /** The node's limits, shared by its sessions. */
    final SessionLimits limits;
    /** The groups joined; null until the first join (a concurrent set from then on). */
    private volatile Set<String> groups;
    private volatile SessionStreams streams;
    private volatile ClientRates rates;
    private volatile LowWater lowWater;

    SessionParts(SessionLimits limits) {
        this.limits = limits;
    }

    /** The session these are the parts of: this object (PushSession is the only final subclass). */
    private PushSession session() {
        return (PushSession) this;
    }

    /** The groups joined: a live view (iterate, do not keep); empty before the first join. */
    final Set<String> groups() {
        Set<String> g = groups;
        return g == null ? Set.of() : g;
    }

    /** Adds {@code group} to {@link #groups()} ({@link GroupRegistry} alone calls this and {@link #leftGroup}). */
    final void joinedGroup(String group) {
        Set<String> g = groups;
        (g != null ? g : install(GROUPS, ConcurrentHashMap.<String>newKeySet())).add(group);
    }

    final void leftGroup(String group) {
        Set<String> g = groups;
        if (g != null) {
            g.remove(group);
        }
    }

    /** Its stream messages and its running {@code recover}, which meet there. */
    final SessionStreams streams() {
        SessionStreams s = streams;
        return s != null ? s : install(STREAMS, new SessionStreams(session()));
    }

    /** The running recovery, or null (without making the streams of a session that never had one). */
    final Recovery recovery() {
        SessionStreams s = streams;
        return s == null ? null : s.recovery();
    }

    /** How fast the client may send commands and recovers. */
    final ClientRates rates() {
        ClientRates r = rates;
        return r != null ? r : install(RATES, new ClientRates(session()));
    }

    /** What runs once when the queue drops below its mark (a recovery's pacing). */
    final LowWater lowWater() {
        LowWater w = lowWater;
        return w != null ? w : install(LOW_WATER, new LowWater());
    }

    /** {@link #lowWater()} if anything ever waited for it, else null. */
    final LowWater lowWaterIfAny() {
        return lowWater;
    }

    /** Sets the field of {@code h} to {@code made} unless another thread set it first. @return the field's value */
    @SuppressWarnings("unchecked")
    private <T> T install(VarHandle h, T made) {
        Object first = h.compareAndExchange(this, (Object) null, (Object) made);
        return first == null ? made : (T) first;
    }

    /**
     * The handle of field {@code field} of {@code lookup}'s class, for a static initializer of the session's classes
     * (each passes its own {@code MethodHandles.lookup()}, which alone reaches its private fields).
     */
    static VarHandle fieldHandle(MethodHandles.Lookup lookup, String field, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), field, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
