package io.channelpush.push;

import io.channelpush.push.bus.MessageBus;

/**
 * A node's health as probes, metrics and operators read it: whether it is live (or dead of an error it cannot
 * recover from, and why), whether it is ready for clients (accepting, connected to its bus and holding its worker
 * id there), and whether its copy of the users' groups is whole. It only reads: the node's {@link NodeLife}, its
 * bus and its {@link UserRegistry} own the state. Thread-safe: each answer is a fresh read of their volatile or
 * atomic state, so two answers may straddle a change.
 */
public final class NodeHealth {
    private final NodeLife life;
    private final MessageBus bus;
    private final UserRegistry users;

    NodeHealth(NodeLife life, MessageBus bus, UserRegistry users) {
        this.life = life;
        this.bus = bus;
        this.users = users;
    }

    /** False once the node died of an error it cannot recover from: it must be restarted. */
    public boolean live() {
        return life.live();
    }

    /** What killed the node, or null while {@link #live()}. */
    public String deathReason() {
        return life.deathReason();
    }

    /** Whether new connections are taken: false once the node stops accepting, stops or dies. */
    public boolean accepting() {
        return life.accepting();
    }

    public boolean busConnected() {
        return bus.isConnected();
    }

    /** False while another node with the same worker id holds it on the bus (or before the bus granted it). */
    public boolean workerIdHeld() {
        return bus.exclusiveHeld();
    }

    /** Ready for clients: accepting, connected to the bus and holding its worker id there. */
    public boolean ready() {
        return accepting() && busConnected() && workerIdHeld();
    }

    /**
     * Whether this node's copy of the groups given to users ({@code uid=U&add_group=G}) is whole: false from its
     * start until it copied them from another node, and again after it may have missed changes (README, "Users").
     * Not a condition of {@link #ready()}.
     */
    public boolean userGroupsComplete() {
        return users.groupsComplete();
    }
}
