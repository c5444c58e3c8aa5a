package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamInfo;
import io.nats.client.support.JsonParser;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** What the node does when JetStream refuses to create a stream, without a server (JetStream's answers as 2.9 sends them). */
class NatsStreamSetupTest {
    private final NatsStreamSetup setup = new NatsStreamSetup(NatsStreamSettings.DEFAULTS);
    private final NatsStreams.Stream stream = new NatsStreams.Stream(Channels.BROADCAST);

    @Test
    void aClusterThatCannotPlaceTheStreamYetIsAskedAgainNotRefused() throws Exception {
        JetStreamApiException e = assertThrows(JetStreamApiException.class,
                () -> setup.describe(creationFails(10005, "no suitable peers for placement"), stream));
        assertEquals(NatsStreamSetup.NO_SUITABLE_PEERS, e.getApiErrorCode());
    }

    @Test
    void aStreamThatCannotBeCreatedForGoodIsRefusedWithWhatToDo() {
        NatsStreamSetup.StreamRefusedException e = assertThrows(NatsStreamSetup.StreamRefusedException.class,
                () -> setup.describe(creationFails(10065, "subjects overlap with an existing stream"), stream));
        assertEquals(true, e.getMessage().contains("nats stream ls"), e.getMessage());
    }

    /** Management that has no stream and whose creation fails with {@code code}. */
    private static JetStreamManagement creationFails(int code, String description) {
        return (JetStreamManagement) Proxy.newProxyInstance(NatsStreamSetupTest.class.getClassLoader(),
                new Class<?>[] {JetStreamManagement.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getStreamInfo" -> throw error(10059, "stream not found");
                        case "addStream" -> throw error(code, description);
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static JetStreamApiException error(int code, String description) throws Exception {
        return new JetStreamApiException(new StreamInfo(JsonParser.parse("{\"type\":\"io.nats.jetstream.api.v1."
                + "stream_create_response\",\"error\":{\"code\":500,\"err_code\":" + code + ",\"description\":\""
                + description + "\"}}")));
    }
}
