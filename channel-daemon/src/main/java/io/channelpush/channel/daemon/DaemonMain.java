package io.channelpush.channel.daemon;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Command line of the channel daemon: {@code java -jar channel-daemon.jar [options]} runs it until SIGTERM;
 * {@code java -jar channel-daemon.jar status [--host H] [--port P]} prints a running daemon's figures.
 */
public final class DaemonMain {
    private static final Logger LOG = Logger.getLogger(DaemonMain.class.getName());
    static final String USAGE = """
            usage: java -jar channel-daemon.jar [options]
                   java -jar channel-daemon.jar status [--host H] [--port P] [--secret-file F]
              --host H                  address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)
              --port P                  TCP port (default 2206)
              --max-frame-bytes N       largest accepted frame body (default 1048576)
              --queue-limit N           most items a queue keeps while nobody watches it (default 100000)
              --outbound-limit-bytes N  bytes queued for one client before it is closed as slow (default 16777216)
              --idle-timeout-seconds S  close clients silent for S seconds (default 60)
              --warmup-ms N             after start, replay publishes to late subscribers for N ms (default 5000)
              --memory-limit-bytes N    most bytes kept in all (queue items, unsent frames, frames being read,
                                        warm-up replay); requests past it get over_capacity (default 268435456)
              --hello-timeout-ms N      close connections that have not sent hello within N ms (default 5000)
              --secret-file F           require the secret in file F (default: env CHANNEL_SECRET, else none)
              --data-dir D              folder of the stream logs and the epoch (default channel-data)
              --stream-channels A,B     channels that are streams with offsets, on disk (default b,g,u)
              --stream-max-messages N   most messages a stream keeps (default 300000)
              --stream-max-bytes N      most bytes a stream keeps on disk (default 1073741824)
              --stream-max-age-seconds S  messages older than S seconds are deleted (default 300)
              --fsync interval|always   flush the logs every interval, or before each ack (default interval)
              --fsync-interval-ms N     the interval (default 1000)
              --help                    this text
            JVM options: give the heap room above the memory limit (-Xmx512m for the default) and add
            -XX:+ExitOnOutOfMemoryError, so that the JVM exits (for a supervisor to restart it) on an
            OutOfMemoryError in any thread; the daemon also exits with status 70 if its event loop dies.
            """;
    /** Exit status when the event loop dies (EX_SOFTWARE). */
    static final int FATAL_EXIT_STATUS = 70;

    private DaemonMain() {
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean status = args.length > 0 && args[0].equals("status");
        DaemonConfig config = DaemonConfig.defaults().withSecret(System.getenv("CHANNEL_SECRET"));
        try {
            for (int i = status ? 1 : 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    out.print(USAGE);
                    return 0;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                config = switch (a) {
                    case "--host" -> config.withHost(v);
                    case "--port" -> config.withPort(port(v));
                    case "--max-frame-bytes" -> config.withMaxFrameBytes(Integer.parseInt(v));
                    case "--queue-limit" -> config.withQueueLimit(Integer.parseInt(v));
                    case "--outbound-limit-bytes" -> config.withOutboundLimitBytes(Long.parseLong(v));
                    case "--idle-timeout-seconds" -> config.withIdleTimeout(Duration.ofSeconds(Long.parseLong(v)));
                    case "--warmup-ms" -> config.withWarmup(Duration.ofMillis(Long.parseLong(v)));
                    case "--secret-file" -> config.withSecret(readSecret(Path.of(v)));
                    case "--memory-limit-bytes" -> config.withMemoryLimitBytes(Long.parseLong(v));
                    case "--hello-timeout-ms" -> config.withHelloTimeout(Duration.ofMillis(Long.parseLong(v)));
                    case "--data-dir" -> config.withDataDir(Path.of(v));
                    case "--stream-channels" -> config.withStreams(config.streams().withChannels(
                            v.isBlank() ? List.of() : List.of(v.split(","))));
                    case "--stream-max-messages" -> config.withStreams(config.streams().withRetention(
                            Long.parseLong(v), config.streams().maxBytes(), config.streams().maxAge()));
                    case "--stream-max-bytes" -> config.withStreams(config.streams().withRetention(
                            config.streams().maxMessages(), Long.parseLong(v), config.streams().maxAge()));
                    case "--stream-max-age-seconds" -> config.withStreams(config.streams().withRetention(
                            config.streams().maxMessages(), config.streams().maxBytes(),
                            Duration.ofSeconds(Long.parseLong(v))));
                    case "--fsync" -> config.withStreams(config.streams().withFsync(fsyncAlways(v),
                            config.streams().fsyncInterval()));
                    case "--fsync-interval-ms" -> config.withStreams(config.streams().withFsync(
                            config.streams().fsyncAlways(), Duration.ofMillis(Long.parseLong(v))));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                };
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("channel-daemon: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        return status ? StatusCommand.run(config, out, err) : serve(config, err);
    }

    private static int serve(DaemonConfig config, PrintStream err) {
        warnWithoutExitOnOutOfMemory(ManagementFactory.getRuntimeMXBean().getInputArguments());
        ChannelDaemon daemon;
        try {
            daemon = ChannelDaemon.start(config, DaemonMain::haltOnFatal);
        } catch (IOException e) {
            err.println("channel-daemon: cannot start on " + config.host() + ":" + config.port() + " with the data "
                    + "folder " + config.dataDir().toAbsolutePath() + ": " + e.getMessage()
                    + " (is another daemon running there? is the folder writable?)");
            return 1;
        }
        try {
            return StopSignals.install(daemon::close).awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.close();
            return 1;
        }
    }

    /**
     * The loop died: its sockets are closed already; the process ends at once (no shutdown hooks: the stop hook
     * would wait for the dead loop) with {@link #FATAL_EXIT_STATUS}, for a supervisor to restart it.
     */
    private static void haltOnFatal(Throwable death) {
        System.err.println("channel-daemon: event loop died (" + death + "); exiting with status " + FATAL_EXIT_STATUS);
        System.err.flush();
        Runtime.getRuntime().halt(FATAL_EXIT_STATUS);
    }

    /** Warns at start-up when the JVM would not exit by itself on an OutOfMemoryError in some other thread. */
    static boolean warnWithoutExitOnOutOfMemory(List<String> jvmArguments) {
        boolean present = jvmArguments.stream().anyMatch(a -> a.equals("-XX:+ExitOnOutOfMemoryError")
                || a.equals("-XX:+CrashOnOutOfMemoryError"));
        if (!present) {
            LOG.warning("the JVM runs without -XX:+ExitOnOutOfMemoryError: an OutOfMemoryError outside the event "
                    + "loop could leave the daemon running but broken; add it to the java command line "
                    + "(java -Xmx512m -XX:+ExitOnOutOfMemoryError -jar channel-daemon.jar)");
        }
        return !present;
    }

    private static boolean fsyncAlways(String v) {
        return switch (v) {
            case "always" -> true;
            case "interval" -> false;
            default -> throw new IllegalArgumentException("--fsync must be interval or always, got " + v);
        };
    }

    private static int port(String v) {
        int p = Integer.parseInt(v);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + v);
        }
        return p;
    }

    private static String readSecret(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("secret file " + file + " is empty");
        }
        return s;
    }
}
