package io.channelpush.launcher;

import io.channelpush.push.PushConfig;
import io.channelpush.push.bus.NatsBus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of the launcher. Immutable.
 *
 * @param host address the web listeners bind
 * @param wsPort WebSocket port (also serves HTTP); 0 picks a free one
 * @param httpPort publisher port (also serves WebSockets); may equal {@code wsPort}
 * @param channel external daemon {@code host:port}, or null to run one in-process (unless {@code nats} is set)
 * @param nats NATS servers {@code nats://host:port[,...]} to use instead of a channel daemon, or null
 * @param channelPort port of the in-process daemon
 * @param workerId this node's worker id, or null for the default
 * @param waitForChannel keep retrying an unreachable external daemon or NATS instead of exiting
 * @param channelTimeout how long start-up waits for the daemon or NATS before giving up
 * @param demo serve the demo page at {@code /demo/} (on unless {@code --no-demo})
 * @param settings node settings given with {@code --set name=value} (servlet init-params of the deployment)
 * @param channelDataDir data folder of the in-process daemon's streams
 */
public record LauncherOptions(String host, int wsPort, int httpPort, String channel, String nats, int channelPort,
                              String workerId, boolean waitForChannel, Duration channelTimeout, boolean demo,
                              Map<String, String> settings, Path channelDataDir) {

    static final String USAGE = """
            usage: java -jar channel-push-launcher.jar [options]
              --host H            address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
              --ws-port P         WebSocket port (default 4236)
              --http-port P       publisher port (default 4237); both ports serve both
              --channel H:P       use the channel daemon at H:P instead of starting one in-process
              --nats URLS         use NATS instead of a channel daemon: nats://H:P[,nats://H:P...], tried in
                                  that order (tls://H:P for TLS; credentials: channelpush.nats-* settings, see
                                  README); starts no daemon; not with --channel
              --channel-port P    port of the in-process channel daemon (default 2206, bound to 127.0.0.1)
              --channel-data-dir D  the in-process daemon's data folder: its streams' logs and epoch, kept
                                  across restarts (default channel-data in the working directory)
              --worker-id ID      this node's worker id (default: random, unique in the cluster)
              --wait-for-channel  if the daemon or NATS is unreachable at start-up, keep retrying instead of exiting
              --no-demo           do not serve the demo page at /demo/
              --set NAME=VALUE    a node setting, e.g. --set channelpush.max-connections=50000 (repeatable)
              --help              this text
            Other settings (limits, secrets) are system properties or environment variables: see README. These
            flags win over a system property or environment variable of the same setting; an unknown
            channelpush.* name anywhere stops the start with the list of valid names.
            """;

    public static LauncherOptions parse(String... args) {
        String host = "127.0.0.1";
        int ws = 4236;
        int http = 4237;
        String channel = null;
        String nats = null;
        int channelPort = 2206;
        Path dataDir = Path.of("channel-data");
        String worker = null;
        boolean wait = false;
        Map<String, String> settings = new LinkedHashMap<>();
        boolean demo = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--wait-for-channel")) {
                wait = true;
                continue;
            }
            if (a.equals("--no-demo")) {
                demo = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--host" -> host = v;
                case "--ws-port" -> ws = port(a, v);
                case "--http-port" -> http = port(a, v);
                case "--channel" -> channel = v;
                case "--nats" -> nats = natsServers(a, v);
                case "--channel-port" -> channelPort = port(a, v);
                case "--channel-data-dir" -> dataDir = Path.of(v);
                case "--worker-id" -> worker = v;
                case "--set" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0 || !v.startsWith("channelpush.")) {
                        throw new IllegalArgumentException("--set takes channelpush.NAME=VALUE, got \"" + v + "\"");
                    }
                    if (!PushConfig.settingNames().contains(v.substring(0, eq))) {
                        throw new IllegalArgumentException(
                                PushConfig.unknownSettingsMessage(List.of("--set " + v.substring(0, eq))));
                    }
                    settings.put(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (channel != null && nats != null) {
            throw new IllegalArgumentException("--channel and --nats choose the bus: give one of them, not both");
        }
        if ((channel != null || nats != null) && settings.containsKey(PushConfig.BUS)) {
            throw new IllegalArgumentException((channel != null ? "--channel" : "--nats") + " and --set "
                    + PushConfig.BUS + " both choose the bus: give one of them");
        }
        if (worker != null && settings.containsKey(PushConfig.WORKER_ID)) {
            throw new IllegalArgumentException("--worker-id and --set " + PushConfig.WORKER_ID + " both set the "
                    + "worker id: give one of them");
        }
        return new LauncherOptions(host, ws, http, channel, nats, channelPort, worker, wait, Duration.ofSeconds(5), demo,
                Map.copyOf(settings), dataDir);
    }

    /**
     * The flags as node settings that win over every other source: {@code --set}, {@code --worker-id},
     * {@code --nats} or {@code --channel} (which also unsets {@code channelpush.bus}, so that a
     * {@code CHANNELPUSH_BUS} cannot take the node elsewhere), {@code --no-demo}.
     */
    Map<String, String> explicitSettings() {
        Map<String, String> explicit = new LinkedHashMap<>(settings);
        if (!demo) {
            explicit.put(PushConfig.DEMO_ENABLED, "false");
        }
        if (workerId != null) {
            explicit.put(PushConfig.WORKER_ID, workerId);
        }
        if (nats != null) {
            explicit.put(PushConfig.BUS, nats);
        } else if (channel != null) {
            explicit.put(PushConfig.CHANNEL, channel);
            explicit.put(PushConfig.BUS, ""); // a blank explicit value unsets
        }
        return explicit;
    }

    private static String natsServers(String option, String v) {
        try {
            NatsBus.parseServers(v);
            return v;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    private static int port(String option, String v) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a port number 0..65535, got \"" + v + "\"");
    }
}
