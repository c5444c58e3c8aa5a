package io.channelpush.launcher;

import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.daemon.StopSignals;
import io.channelpush.push.FatalErrors;
import io.channelpush.push.PushConfig;
import io.channelpush.push.PushNode;
import io.channelpush.push.SettingSources;
import io.channelpush.push.bus.NatsBus;
import io.channelpush.push.bus.NatsSecurity;
import io.undertow.servlet.api.DeploymentManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Runs one push node in embedded Undertow with the WAR's own listener (which registers the servlets), plus (by default, that is
 * without {@code --channel} or {@code --nats}) an in-process channel daemon. {@link #close()} stops in reverse order: readiness off, WebSockets closed with
 * 1001, deployment, listeners, I/O threads, daemon. Idempotent and thread-safe.
 */
public final class Launcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());
    private final ChannelDaemon daemon;
    private final XnioWorker worker;
    private final DeploymentManager deployment;
    private final HttpListeners server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Launcher(ChannelDaemon daemon, XnioWorker worker, DeploymentManager deployment, HttpListeners server) {
        this.daemon = daemon;
        this.worker = worker;
        this.deployment = deployment;
        this.server = server;
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        LauncherOptions options;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                System.out.print(LauncherOptions.USAGE);
                return;
            }
            options = LauncherOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("channel-push: " + e.getMessage());
            System.err.print(LauncherOptions.USAGE);
            System.exit(2);
            return;
        }
        ProcessHalt halt = new ProcessHalt(Runtime.getRuntime()::halt);
        Thread.setDefaultUncaughtExceptionHandler(halt);
        Logger.getLogger("").addHandler(halt.logWatcher());
        String oomWarning = ProcessHalt.missingOomExitWarning();
        if (oomWarning != null) {
            LOG.warning(oomWarning);
        }
        Launcher launcher;
        try {
            SettingSources jvm = SettingSources.system(Map.of(), name -> null, List.of());
            launcher = start(options, jvm.environment(), jvm.properties(), halt);
        } catch (StartupException e) {
            System.err.println("channel-push: " + e.getMessage());
            System.exit(1);
            return;
        }
        try {
            System.exit(StopSignals.install(launcher::close).awaitStop());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            launcher.close();
        }
    }

    /** Start-up failed for a reason the operator can fix; the message says which. */
    public static final class StartupException extends Exception {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts everything, or nothing: on failure whatever was started is closed again. A fatal error marks the node
     * dead (liveness 503) as in the WAR; {@code main} halts the process instead.
     *
     * @throws StartupException when a port is taken, the daemon cannot be reached, or a setting is invalid
     */
    public static Launcher start(LauncherOptions o) throws StartupException {
        SettingSources jvm = SettingSources.system(Map.of(), name -> null, List.of());
        return start(o, jvm.environment(), jvm.properties(), FatalErrors.MARK_DEAD);
    }

    /**
     * Starts with {@code environment} and system {@code properties} in place of this JVM's (tests supply their
     * own). The options' flags win over both: {@code --worker-id}, {@code --channel}, {@code --nats} and
     * {@code --set} are explicit settings ({@link SettingSources}).
     */
    public static Launcher start(LauncherOptions o, Map<String, String> environment, Map<String, String> properties)
            throws StartupException {
        return start(o, environment, properties, FatalErrors.MARK_DEAD);
    }

    /**
     * {@link #start(LauncherOptions, Map, Map)} with the node's fatal errors going to {@code fatalErrors}.
     *
     * @throws StartupException when a port is taken, the daemon cannot be reached, or a setting is invalid
     */
    static Launcher start(LauncherOptions o, Map<String, String> environment, Map<String, String> properties,
                          FatalErrors fatalErrors) throws StartupException {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Map<String, String> explicit = new LinkedHashMap<>(o.explicitSettings());
            SettingSources sources = new SettingSources(explicit, properties, environment, name -> null, List.of());
            sources.checkNames();
            // the bus the node will really use: flags, then properties, then the environment
            String nats = sources.value(PushConfig.BUS);
            String channel = nats == null ? sources.value(PushConfig.CHANNEL) : null;
            ChannelDaemon daemon = null;
            // the worker id may be generated by the deployment, which starts after the daemon
            AtomicReference<String> workerId = new AtomicReference<>(sources.value(PushConfig.WORKER_ID));
            if (nats != null) {
                if (!o.waitForChannel()) {
                    BusReachability.checkNats(nats, o);
                }
            } else if (channel == null) {
                try {
                    // the node cannot serve without its bus: a dead in-process daemon is the node's fatal error
                    daemon = ChannelDaemon.start(DaemonConfig.defaults().withPort(o.channelPort())
                            .withDataDir(o.channelDataDir())
                            .withSecret(sources.value(PushConfig.CHANNEL_SECRET)), death -> fatalErrors.fatal(
                            workerId.get(), "the in-process channel daemon's event loop died", death));
                } catch (IOException e) {
                    throw new StartupException("cannot start the in-process channel daemon on 127.0.0.1:"
                            + o.channelPort() + " with the data folder " + o.channelDataDir().toAbsolutePath() + ": "
                            + e.getMessage() + " (port taken? use --channel-port or --channel host:port; folder in use "
                            + "or not writable? use --channel-data-dir)", e);
                }
                started.add(daemon);
                channel = "127.0.0.1:" + daemon.port();
                explicit.put(PushConfig.CHANNEL, channel);
            } else if (!o.waitForChannel()) {
                BusReachability.checkChannel(channel, o);
            }
            sources = new SettingSources(Map.copyOf(explicit), properties, environment, name -> null, List.of());
            XnioWorker worker = Xnio.getInstance(Launcher.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, Math.max(2, Runtime.getRuntime().availableProcessors()))
                    .set(Options.WORKER_TASK_CORE_THREADS, 16)
                    .set(Options.WORKER_TASK_MAX_THREADS, 64)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.WORKER_NAME, "channel-push")
                    .getMap());
            started.add(worker::shutdownNow);
            UpgradesOnIoThread upgrades = new UpgradesOnIoThread(worker);
            DeploymentManager deployment = WarDeployment.deploy(o, sources, upgrades, worker, fatalErrors);
            started.add(deployment::undeploy);
            io.undertow.server.HttpHandler handler = upgrades.marking(new PathDecoding(deployment.start()));
            PushConfig config = ((PushNode) deployment.getDeployment().getServletContext()
                    .getAttribute(PushNode.ATTRIBUTE)).config();
            workerId.set(config.workerId());
            List<Integer> ports = new ArrayList<>(List.of(o.wsPort()));
            if (o.httpPort() != o.wsPort() || o.wsPort() == 0) {
                ports.add(o.httpPort());
            }
            HttpListeners server;
            try {
                server = new HttpListeners(worker, handler, o.host(), ports, config);
            } catch (IOException | RuntimeException e) {
                deployment.stop();
                throw new StartupException("cannot listen on " + o.host() + " ports " + o.wsPort() + "/" + o.httpPort()
                        + ": " + rootMessage(e) + " (port taken? use --ws-port/--http-port)", e);
            }
            Launcher l = new Launcher(daemon, worker, deployment, server);
            String warning = l.node().config().openPublisherWarning(o.host());
            if (warning != null) {
                LOG.warning(warning);
            }
            String http = "http://" + o.host() + ":" + l.port(l.portCount() - 1) + "/";
            String bus = config.natsServers() != null ? "NATS " + NatsSecurity.redact(NatsBus.parseServers(config.natsServers()))
                    : "channel " + config.channel() + (daemon != null ? " (in-process)" : "");
            LOG.info(() -> "Channel Push worker " + l.node().workerId() + " serving ws://" + o.host() + ":" + l.port(0)
                    + "/ and " + http + " ; " + bus
                    + (l.node().config().demoEnabled() ? " ; demo page " + http + "demo/" : ""));
            return l;
        } catch (StartupException e) {
            closeAll(started);
            throw e;
        } catch (IOException | RuntimeException | jakarta.servlet.ServletException e) {
            closeAll(started);
            throw new StartupException("start-up failed: " + rootMessage(e), e);
        }
    }

    static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static void closeAll(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.fine(() -> "cleanup after failed start: " + e);
            }
        }
    }

    /** The node this launcher runs. */
    public PushNode node() {
        return (PushNode) deployment.getDeployment().getServletContext().getAttribute(PushNode.ATTRIBUTE);
    }

    /** Number of listeners (1 when both ports are the same). */
    public int portCount() {
        return server.count();
    }

    /** The port actually bound by listener {@code index} (0 = WebSocket port, last = publisher port). */
    public int port(int index) {
        return server.port(index);
    }

    /** The worker whose task threads run the servlets (tests in this package occupy them). */
    XnioWorker worker() {
        return worker;
    }

    /** The in-process daemon's port, or -1 with an external daemon. */
    public int channelPort() {
        return daemon == null ? -1 : daemon.port();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        PushNode node = node();
        if (node != null) {
            node.stopAccepting();
        }
        try {
            deployment.stop();
        } catch (jakarta.servlet.ServletException e) {
            LOG.warning("stopping the deployment: " + e.getMessage());
        }
        deployment.undeploy();
        server.close();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (daemon != null) {
            daemon.close();
        }
        LOG.info("Channel Push stopped");
    }
}
