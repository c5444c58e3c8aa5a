package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushConfigTest {
    private static PushConfig config(Map<String, String> initParams) {
        return PushConfig.load(initParams::get);
    }

    @Test
    void aWorkerIdIsCheckedByItsRuleWithoutARegularExpression() {
        java.util.regex.Pattern rule = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");
        List<String> ids = new java.util.ArrayList<>(List.of("", "a", "node-1", "n:1.x_y", "a".repeat(64), "a".repeat(65),
                "node 1", "n\u00f6de", "\u0663", "w/1", "a\n", "\uff21"));
        for (char c = 0; c < 256; c++) {
            ids.add("n" + c);
        }
        for (String id : ids) {
            assertEquals(rule.matcher(id).matches(), PushConfig.isValidWorkerId(id), id);
        }
    }

    @Test
    void openPublisherIsWarnedAboutOnlyOffLoopbackAndWithoutKeys() {
        PushConfig open = config(Map.of(PushConfig.WORKER_ID, "w1"));
        String warning = open.openPublisherWarning("0.0.0.0");
        assertNotNull(warning);
        assertTrue(warning.startsWith("SECURITY:") && warning.contains(PushConfig.PUBLISH_KEYS), warning);
        assertNull(open.openPublisherWarning("127.0.0.1"));
        assertNull(config(Map.of(PushConfig.PUBLISH_KEYS, "k1:" + "s".repeat(32))).openPublisherWarning("0.0.0.0"));
        assertNull(config(Map.of(PushConfig.PUBLISH_TOKENS, "t")).openPublisherWarning("0.0.0.0"));
    }

    @Test
    void publishAndConnectionKeysFollowOneFormAndRefuseShortSecretsAndRepeatedIds() {
        String secret = "x".repeat(32);
        for (String setting : List.of(PushConfig.PUBLISH_KEYS, PushConfig.CONNECTION_KEYS)) {
            assertEquals(List.of("k1", "k2"), List.copyOf(io.channelpush.push.auth.KeyList.parse(
                    "k1:" + secret + ", k2:" + secret, "any").keySet()));
            for (String[] bad : new String[][]{{"k1:" + "x".repeat(31), "31 bytes"}, {"k1:" + secret + ",k1:" + secret,
                    "appears twice"}, {"k1", "id:secret"}, {"k1:", "id:secret"}, {":" + secret, "id:secret"}}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> config(Map.of(setting, bad[0])), setting + "=" + bad[0]);
                assertTrue(e.getMessage().startsWith(setting + ": ") && e.getMessage().contains(bad[1]),
                        e.getMessage());
            }
            // 32 bytes of UTF-8 in fewer characters count as 32
            assertNotNull(config(Map.of(setting, "k1:" + "\u00e9".repeat(16))));
        }
    }

    @Test
    void malformedSettingsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of(PushConfig.MAX_CONNECTIONS, "many")));
        assertTrue(e.getMessage().contains(PushConfig.MAX_CONNECTIONS), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.WORKER_ID, "two words")));
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.DEMO_ENABLED, "yes")));
        IllegalArgumentException pe = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of(PushConfig.PRESENCE_EVENTS, "room:,")));
        assertTrue(pe.getMessage().contains(PushConfig.PRESENCE_EVENTS), pe.getMessage());
        assertEquals("off", config(Map.of()).presenceEvents());
        for (String bad : new String[] {"-1", "1001", "soon"}) {
            IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                    () -> config(Map.of(PushConfig.WRITE_DELAY_MS, bad)));
            assertTrue(d.getMessage().contains(PushConfig.WRITE_DELAY_MS), d.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.PUBLISHER_ON_IO_THREAD, "maybe")));
    }

    @Test
    void messagesGoOutAtOnceAndPublishesOnTheIoThreadUnlessConfiguredOtherwise() {
        PushConfig defaults = config(Map.of());
        assertEquals(0, defaults.writeDelayMillis());
        assertTrue(defaults.publisherOnIoThread());
        PushConfig set = config(Map.of(PushConfig.WRITE_DELAY_MS, "60", PushConfig.PUBLISHER_ON_IO_THREAD, "false"));
        assertEquals(60, set.writeDelayMillis());
        assertFalse(set.publisherOnIoThread());
    }

    private static SettingSources sources(Map<String, String> explicit, Map<String, String> properties,
                                          Map<String, String> environment, Map<String, String> initParams) {
        return new SettingSources(explicit, properties, environment, initParams::get, initParams.keySet());
    }

    @Test
    void theValidNamesAreThePublicConstantsUnderChannelpush() throws Exception {
        List<String> names = PushConfig.settingNames();
        int constants = 0;
        for (java.lang.reflect.Field f : PushConfig.class.getFields()) {
            if (f.getType() == String.class && f.get(null) instanceof String v && v.startsWith("channelpush.")) {
                constants++;
                assertTrue(names.contains(v), v);
            }
        }
        assertEquals(constants, names.size());
        assertTrue(names.containsAll(List.of(PushConfig.WORKER_ID, PushConfig.MAX_CONNECTIONS, PushConfig.BUS,
                PushConfig.WRITE_DELAY_MS)), names.toString());
    }

    @Test
    void aMisspeltSettingInAnySourceIsRefusedWithTheValidNames() {
        Map<String, String> none = Map.of();
        Map<String, IllegalArgumentException> refusals = Map.of(
                "--set channelpush.max-conections",
                assertThrows(IllegalArgumentException.class, () -> PushConfig.load(
                        sources(Map.of("channelpush.max-conections", "5"), none, none, none))),
                "system property channelpush.max-conections",
                assertThrows(IllegalArgumentException.class, () -> PushConfig.load(
                        sources(none, Map.of("channelpush.max-conections", "5"), none, none))),
                "environment variable CHANNELPUSH_MAX_CONECTIONS",
                assertThrows(IllegalArgumentException.class, () -> PushConfig.load(
                        sources(none, none, Map.of("CHANNELPUSH_MAX_CONECTIONS", "5"), none))),
                "init-param channelpush.max-conections",
                assertThrows(IllegalArgumentException.class, () -> PushConfig.load(
                        sources(none, none, none, Map.of("channelpush.max-conections", "5")))));
        refusals.forEach((named, e) -> {
            assertTrue(e.getMessage().startsWith("unknown setting " + named + " "), e.getMessage());
            assertTrue(e.getMessage().contains("valid settings: ") && e.getMessage().contains(PushConfig.MAX_CONNECTIONS)
                    && e.getMessage().contains(PushConfig.WRITE_DELAY_MS), e.getMessage());
        });
        // other names are not ours: left alone
        PushConfig.load(sources(none, Map.of("java.home", "/x", "channelpushy", "1"),
                Map.of("PATH", "/bin", "CHANNEL_SECRET", "s"), Map.of("resteasy.x", "1")));
    }

    @Test
    void anUnknownSystemPropertyStopsTheRealLoad() {
        System.setProperty("channelpush.max-conections", "5");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PushConfig.load(name -> null));
            assertTrue(e.getMessage().contains("system property channelpush.max-conections"), e.getMessage());
        } finally {
            System.clearProperty("channelpush.max-conections");
        }
    }

    @Test
    void explicitSettingsWinOverPropertiesOverEnvironmentOverInitParams() {
        String n = PushConfig.MAX_CONNECTIONS;
        String env = PushConfig.envName(n);
        assertEquals(1, PushConfig.load(sources(Map.of(n, "1"), Map.of(n, "2"), Map.of(env, "3"), Map.of(n, "4")))
                .maxConnections());
        assertEquals(2, PushConfig.load(sources(Map.of(), Map.of(n, "2"), Map.of(env, "3"), Map.of(n, "4")))
                .maxConnections());
        assertEquals(3, PushConfig.load(sources(Map.of(), Map.of(), Map.of(env, "3"), Map.of(n, "4")))
                .maxConnections());
        assertEquals(4, PushConfig.load(sources(Map.of(), Map.of(), Map.of(), Map.of(n, "4"))).maxConnections());
        // a blank explicit value unsets: the launcher's --channel this way beats CHANNELPUSH_BUS
        assertNull(PushConfig.load(sources(Map.of(PushConfig.BUS, ""), Map.of(),
                Map.of(PushConfig.envName(PushConfig.BUS), "nats://127.0.0.1:4222"), Map.of())).natsServers());
    }

    @Test
    void natsStreamSettingsDefaultToATwoMinuteOutageAtAThousandMessagesASecondAndAreChecked() {
        io.channelpush.push.bus.NatsStreamSettings d = config(Map.of()).natsStreams();
        assertEquals(io.channelpush.push.bus.NatsStreamSettings.DEFAULTS, d);
        assertTrue(d.maxMessages() >= 120_000 && d.maxAge().toSeconds() >= 120, d.toString());
        io.channelpush.push.bus.NatsStreamSettings set = config(Map.of(PushConfig.NATS_STREAM_MAX_MESSAGES, "500",
                PushConfig.NATS_STREAM_MAX_BYTES, "1048576", PushConfig.NATS_STREAM_MAX_AGE_SECONDS, "60",
                PushConfig.NATS_STREAM_REPLICAS, "3", PushConfig.NATS_STREAM_DUPLICATE_WINDOW_SECONDS, "30")).natsStreams();
        assertEquals(new io.channelpush.push.bus.NatsStreamSettings(500, 1 << 20, java.time.Duration.ofSeconds(60), 3,
                java.time.Duration.ofSeconds(30)), set);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of(PushConfig.NATS_STREAM_REPLICAS, "7")));
        assertTrue(e.getMessage().startsWith("channelpush.nats-stream-* settings: replicas must be 1 to 5"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.NATS_STREAM_MAX_AGE_SECONDS, "0")));
    }

    @Test
    void clientGroupMessagesAreOnByDefaultAndWarnedAboutOnlyBesideAnAuthenticatedPublisher() {
        assertTrue(config(Map.of()).clientGroupMessages());
        assertNull(config(Map.of()).clientGroupMessagesWarning());
        String warning = config(Map.of(PushConfig.PUBLISH_KEYS, "k1:" + "s".repeat(32))).clientGroupMessagesWarning();
        assertTrue(warning.startsWith("SECURITY:") && warning.contains(PushConfig.CLIENT_GROUP_MESSAGES + "=false"),
                warning);
        PushConfig off = config(Map.of(PushConfig.PUBLISH_KEYS, "k1:" + "s".repeat(32), PushConfig.CLIENT_GROUP_MESSAGES, "false"));
        assertFalse(off.clientGroupMessages());
        assertNull(off.clientGroupMessagesWarning());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.CLIENT_GROUP_MESSAGES, "no")));
    }

    @Test
    void theAckAndRecoverySettingsHaveDefaultsAndTheAckWaitEndsBeforeTheRequestDeadline() {
        PushConfig d = PushConfig.load(Map.<String, String>of()::get);
        assertEquals(5_000, d.publishAckTimeoutMillis());
        assertEquals(100_000, d.maxRecoverMessages());
        assertEquals(64, d.maxHistoryRequests());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PushConfig.load(Map.of(
                PushConfig.PUBLISH_ACK_TIMEOUT_MS, "20000")::get));
        assertTrue(e.getMessage().contains(PushConfig.PUBLISH_ACK_TIMEOUT_MS)
                && e.getMessage().contains(PushConfig.REQUEST_TIMEOUT_MS), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PushConfig.load(Map.of(
                PushConfig.MAX_RECOVER_MESSAGES, "0")::get));
    }
}
