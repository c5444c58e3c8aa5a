package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The launcher's flags against the other sources of settings, with a fake environment and fake system
 * properties (a process cannot change its own environment): the flag wins, and the start-up log names the bus the
 * node really uses.
 */
class LauncherSettingsTest {
    private static PushFixture fx;
    private LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @BeforeEach
    void captureLog() {
        log = new LogCapture(Launcher.class, Level.INFO);
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }

    private static LauncherOptions options(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--ws-port", "0", "--http-port", "0", "--channel-port", "0",
                "--channel-data-dir", io.channelpush.channel.TestData.freshDir().toString()));
        all.addAll(List.of(args));
        return LauncherOptions.parse(all.toArray(new String[0]));
    }

    private String startLine() {
        List<String> lines = log.messages(Level.INFO);
        return lines.stream().filter(m -> m.startsWith("Channel Push worker ")).findFirst()
                .orElseThrow(() -> new AssertionError("no start-up line in " + lines));
    }

    @Test
    void flagsWinOverTheEnvironmentAndSystemProperties() throws Exception {
        String daemon = "127.0.0.1:" + fx.daemon.port();
        try (Launcher l = Launcher.start(options("--channel", daemon, "--worker-id", "from-flag",
                        "--set", PushConfig.MAX_CONNECTIONS + "=7"),
                Map.of("CHANNELPUSH_BUS", "nats://127.0.0.1:1", "CHANNELPUSH_WORKER_ID", "from-env",
                        "CHANNELPUSH_MAX_CONNECTIONS", "8"),
                Map.of(PushConfig.WORKER_ID, "from-property", PushConfig.CHANNEL, "127.0.0.1:1",
                        PushConfig.MAX_CONNECTIONS, "9"))) {
            PushConfig c = l.node().config();
            assertEquals("from-flag", c.workerId());
            assertNull(c.natsServers(), "CHANNELPUSH_BUS beat --channel");
            assertEquals(daemon, c.channel());
            assertEquals(7, c.maxConnections());
            assertEquals(-1, l.channelPort(), "an in-process daemon was started beside --channel");
            assertTrue(startLine().endsWith("; channel " + daemon) || startLine().contains("; channel " + daemon + " ;"),
                    startLine());
            PushFixture.await(() -> l.node().health().busConnected(), "never connected to the daemon given with --channel");
        }
    }

    @Test
    void noDemoWinsOverTheEnvironmentAndTheLaunchersDefaultLosesToIt() throws Exception {
        String daemon = "127.0.0.1:" + fx.daemon.port();
        Map<String, String> env = Map.of("CHANNELPUSH_DEMO_ENABLED", "true");
        try (Launcher l = Launcher.start(options("--channel", daemon, "--no-demo"), env, Map.of())) {
            assertFalse(l.node().config().demoEnabled(), "CHANNELPUSH_DEMO_ENABLED beat --no-demo");
        }
        try (Launcher l = Launcher.start(options("--channel", daemon), Map.of("CHANNELPUSH_DEMO_ENABLED", "false"),
                Map.of())) {
            assertFalse(l.node().config().demoEnabled(), "the launcher's default is not a flag: the environment wins");
        }
    }

    @Test
    void withoutABusFlagTheEnvironmentsChannelIsUsedAndNamed() throws Exception {
        String daemon = "127.0.0.1:" + fx.daemon.port();
        try (Launcher l = Launcher.start(options(), Map.of("CHANNELPUSH_CHANNEL", daemon), Map.of())) {
            assertEquals(daemon, l.node().config().channel());
            assertEquals(-1, l.channelPort(), "an in-process daemon was started that the node does not use");
            assertTrue(startLine().contains("; channel " + daemon), startLine());
            assertFalse(startLine().contains("in-process"), startLine());
        }
    }

    @Test
    void theInProcessDaemonIsNamedAsSuch() throws Exception {
        try (Launcher l = Launcher.start(options(), Map.of(), Map.of())) {
            assertTrue(l.channelPort() > 0);
            assertTrue(startLine().contains("; channel 127.0.0.1:" + l.channelPort() + " (in-process)"), startLine());
        }
    }

    @Test
    void anUnknownSettingInTheEnvironmentStopsTheStart() {
        Launcher.StartupException e = assertThrows(Launcher.StartupException.class, () -> Launcher.start(options(),
                Map.of("CHANNELPUSH_MAX_CONECTIONS", "5"), Map.of()));
        assertTrue(e.getMessage().contains("environment variable CHANNELPUSH_MAX_CONECTIONS"), e.getMessage());
        assertTrue(e.getMessage().contains(PushConfig.MAX_CONNECTIONS), e.getMessage());
    }
}
