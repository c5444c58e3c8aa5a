package io.channelpush.push.bus;

import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Options;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code channelpush.bus} setting's list of NATS servers. Stateless. */
final class NatsServers {
    /** Smallest publish jnats can hold, in bytes, protocol line included: sizes its message-count limit. */
    private static final int MIN_MESSAGE_BYTES = 32;

    private NatsServers() {
    }

    /** jnats' options of a {@link NatsBus}: reconnect forever, in the order given, with a bounded buffer. */
    static Options options(List<URI> servers, String connectionName, long bufferBytes, NatsSecurity security,
                           ConnectionListener listener, ErrorListener errors) {
        Options.Builder builder = new Options.Builder()
                .servers(servers.stream().map(URI::toString).toArray(String[]::new))
                .noRandomize()
                .connectionName(connectionName)
                .maxReconnects(-1)
                .reconnectWait(NatsBus.RECONNECT_WAIT)
                .reconnectJitter(NatsBus.RECONNECT_JITTER)
                .connectionTimeout(NatsBus.CONNECT_TIMEOUT)
                .pingInterval(NatsBus.PING_INTERVAL)
                .maxPingsOut(NatsBus.MAX_PINGS_OUT)
                .reconnectBufferSize(bufferBytes)
                // So that the byte limit, not jnats' message count, decides when publishes are refused.
                .maxMessagesInOutgoingQueue((int) Math.min(Integer.MAX_VALUE,
                        Math.max(Options.DEFAULT_MAX_MESSAGES_IN_OUTGOING_QUEUE, bufferBytes / MIN_MESSAGE_BYTES)))
                .connectionListener(listener)
                .errorListener(errors);
        security.applyTo(builder);
        return builder.build();
    }

    /**
     * Parses {@code nats://host:port[,nats://host:port...]}; the port defaults to 4222. {@code tls://} URLs
     * connect with TLS; {@code nats://user:password@host:port} (or {@code nats://token@host:port}) carries
     * credentials, which jnats reads from the URL.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    static List<URI> parse(String list) {
        List<URI> servers = new ArrayList<>();
        for (String s : list.split(",", -1)) {
            String entry = s.strip();
            URI uri;
            try {
                uri = new URI(entry);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a NATS server URL: \"" + entry + "\"");
            }
            if (uri.getScheme() == null || !List.of("nats", "tls").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    || uri.getHost() == null || uri.getPort() == 0 || uri.getPort() > 65535
                    || !(uri.getPath() == null || uri.getPath().isEmpty()) || uri.getQuery() != null) {
                throw new IllegalArgumentException("not a NATS server URL: \"" + entry + "\" (nats://host:port or tls://host:port)");
            }
            servers.add(uri);
        }
        return servers;
    }
}
