package io.channelpush.channel.daemon;

/**
 * One resume in progress: the events of {@code channel} from offset {@link #next} on are read from its log and queued
 * for the connection as its outbound buffer drains; once past the log's last offset the connection is a live
 * subscriber. Confined to the event-loop thread.
 */
final class Replay {
    final String channel;
    final StreamLog log;
    long next;

    Replay(String channel, StreamLog log, long next) {
        this.channel = channel;
        this.log = log;
        this.next = next;
    }
}
