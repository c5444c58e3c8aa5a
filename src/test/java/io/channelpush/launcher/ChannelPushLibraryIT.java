package io.channelpush.launcher;

import static io.channelpush.launcher.BrowserPage.js;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The browser library ({@code webapp/channel-push.js}, served at {@code /channel-push.js}) in headless Chromium
 * against a scripted WebSocket ({@code channel-push-scenarios.js}): its logic without a server, each scenario in a
 * fresh tab, bounded by the scenario's own 5 s waits and this test's 20 s. {@link DemoPageIT} runs it against real
 * nodes.
 */
class ChannelPushLibraryIT {
    private static final List<String> SCENARIOS = List.of(
            "connectsWithJsonFormatAndPassesLiveMessagesOnceEach",
            "reconnectsWithGrowingJitteredDelaysAndRecoversItsStreamsAndGroups",
            "takesTheNodesPositionsForStreamsWithoutOneAndReconnectsPromisingARecover",
            "holdsRecoveringStreamsAndPassesThemOnInOffsetOrderMarkedRecovered",
            "aStreamAnsweredFalseIsAGapAndStartsAgainFromItsNextMessage",
            "keepsAndRecoversItsUsersStreamAndForgetsOneAnsweredFalse",
            "aConnectionLostDuringARecoveryRecoversAgainFromTheSameOffsets",
            "aRecoverRefusedByABusyNodeIsRetriedAndOneRefusedOtherwiseIsAGapAndAPlainJoin",
            "commandsSettleOnTheirAnswerAndSayWhetherTheyWereSent",
            "leavingAGroupForgetsItsOffsetAndCloseStopsReconnecting");

    private static final HttpClient HTTP = new HttpClient();
    private static final WebSocketClient WS = new WebSocketClient(HTTP);
    private static HeadlessChromium chromium;
    private static DevTools devTools;
    private static String harness;
    private static String library;

    @BeforeAll
    static void start() throws Exception {
        harness = resource("/channel-push-scenarios.js");
        library = resource("/webapp/channel-push.js");
        HTTP.start();
        WS.start();
        chromium = HeadlessChromium.start();
        devTools = new DevTools();
        WS.connect(devTools, chromium.devToolsUri()).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (devTools != null) {
            devTools.close();
        }
        if (chromium != null) {
            chromium.close();
        }
        WS.stop();
        HTTP.stop();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void libraryScenario(String scenario) throws Exception {
        BrowserPage page = loaded();
        page.eval("runScenario(" + js(scenario) + ")");
        JsonElement result = page.await("window.scenarioResult", v -> !v.isJsonNull(), 20,
                "scenario " + scenario + " did not end");
        assertEquals("ok", result.getAsString(), scenario);
        assertEquals(List.of(), devTools.pageErrors, "errors in the page");
    }

    static Stream<String> scenarios() {
        return SCENARIOS.stream();
    }

    @Test
    void everyScenarioOfTheHarnessRunsHere() throws Exception {
        List<String> names = new ArrayList<>();
        loaded().eval("scenarioNames").getAsJsonArray().forEach(n -> names.add(n.getAsString()));
        assertEquals(SCENARIOS, names);
    }

    /** A fresh tab with the scripted WebSocket, then the library, loaded (the harness replaces WebSocket first). */
    private static BrowserPage loaded() throws Exception {
        BrowserPage page = BrowserPage.open(devTools, "about:blank");
        page.eval(harness);
        page.eval(library);
        assertEquals("function", page.eval("typeof ChannelPush").getAsString());
        return page;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ChannelPushLibraryIT.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError(name + " is not on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
