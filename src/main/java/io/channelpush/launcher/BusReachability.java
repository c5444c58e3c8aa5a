package io.channelpush.launcher;

import io.channelpush.launcher.Launcher.StartupException;
import io.channelpush.push.bus.NatsBus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's check, before it starts anything that listens, that the bus it was given answers at all (unless
 * {@code --wait-for-channel}): a wrong address fails the start with a message saying what to fix, instead of a node
 * that starts and never becomes ready. Only a TCP connect, of at most 5 s ({@link LauncherOptions#channelTimeout()}).
 * Stateless.
 */
final class BusReachability {
    private BusReachability() {
    }

    /** Passes when the channel daemon at {@code host:port} accepts a TCP connection. */
    static void checkChannel(String channel, LauncherOptions o) throws StartupException {
        int colon = channel.lastIndexOf(':');
        try (Socket s = new Socket()) {
            int port = Integer.parseInt(channel.substring(colon + 1));
            s.connect(new InetSocketAddress(channel.substring(0, colon), port), (int) o.channelTimeout().toMillis());
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot reach the channel daemon at " + channel + ": " + Launcher.rootMessage(e)
                    + " (start it, fix --channel, or pass --wait-for-channel to keep retrying)", e);
        }
    }

    /** Passes when at least one of the NATS servers accepts a TCP connection. */
    static void checkNats(String nats, LauncherOptions o) throws StartupException {
        List<String> failures = new ArrayList<>();
        for (URI server : NatsBus.parseServers(nats)) {
            int port = server.getPort() < 0 ? 4222 : server.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(server.getHost(), port), (int) o.channelTimeout().toMillis());
                return;
            } catch (IOException | RuntimeException e) {
                failures.add(server + ": " + Launcher.rootMessage(e));
            }
        }
        throw new StartupException("cannot reach any NATS server (" + String.join("; ", failures)
                + ") (start one, fix --nats, or pass --wait-for-channel to keep retrying)", null);
    }
}
