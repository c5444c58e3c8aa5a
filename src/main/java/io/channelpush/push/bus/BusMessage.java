package io.channelpush.push.bus;

/**
 * A message between push nodes: what a publish asks every node (or one node) to deliver. {@link BusCodec} turns it
 * into the bytes the bus carries and back, and names its channel. Immutable records; safe to share between threads.
 */
public sealed interface BusMessage permits BusMessage.Broadcast, BusMessage.Targeted, BusMessage.Group {

    /** To every client of every node. */
    record Broadcast(String content) implements BusMessage {
    }

    /** To one connection of the node {@code workerId}. */
    record Targeted(String workerId, long connectionId, String content) implements BusMessage {
    }

    /** To every member of a group, on every node. */
    record Group(String groupId, String message) implements BusMessage {
    }
}
