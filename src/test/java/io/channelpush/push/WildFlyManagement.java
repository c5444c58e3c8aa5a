package io.channelpush.push;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Authentication;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.DigestAuthentication;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;

/**
 * A client of WildFly's HTTP management API (JSON operations posted to {@code /management}, HTTP Digest with a
 * management user): the same operations {@code jboss-cli.sh} runs, without a CLI process. Not thread-safe.
 */
final class WildFlyManagement implements AutoCloseable {
    private final HttpClient http = new HttpClient();
    private final String url;

    WildFlyManagement(String host, int port, String user, String password) throws Exception {
        url = "http://" + host + ":" + port + "/management";
        http.getAuthenticationStore().addAuthentication(
                new DigestAuthentication(URI.create(url), Authentication.ANY_REALM, user, password));
        http.start();
    }

    /**
     * Runs one operation and returns its result.
     *
     * @param address the resource, as pairs such as {@code "deployment", "channel-push.war"}
     * @param params the operation's parameters, or null
     * @throws AssertionError with WildFly's failure description when the operation fails
     */
    JsonElement execute(String operation, List<String> address, JsonObject params) throws Exception {
        JsonObject op = params == null ? new JsonObject() : params.deepCopy();
        op.addProperty("operation", operation);
        JsonArray addr = new JsonArray();
        for (int i = 0; i < address.size(); i += 2) {
            JsonObject element = new JsonObject();
            element.addProperty(address.get(i), address.get(i + 1));
            addr.add(element);
        }
        op.add("address", addr);
        ContentResponse r = http.POST(url)
                .body(new StringRequestContent("application/json", op.toString()))
                .timeout(60, TimeUnit.SECONDS).send();
        JsonObject reply;
        try {
            reply = JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new AssertionError(operation + " " + address + ": HTTP " + r.getStatus() + " " + r.getContentAsString());
        }
        if (!"success".equals(reply.get("outcome").getAsString())) {
            throw new AssertionError(operation + " " + address + " failed: " + reply.get("failure-description"));
        }
        return reply.get("result");
    }

    /** The WildFly JVM's process id, from the platform runtime MXBean's name ({@code pid@host}). */
    long pid() throws Exception {
        String name = execute("read-attribute", List.of("core-service", "platform-mbean", "type", "runtime"),
                param("name", "name")).getAsString();
        return Long.parseLong(name.substring(0, name.indexOf('@')));
    }

    /** Names of every live thread of the WildFly JVM. */
    List<String> threadNames() throws Exception {
        JsonObject params = param("locked-monitors", false);
        params.addProperty("locked-synchronizers", false);
        JsonArray threads = execute("dump-all-threads", List.of("core-service", "platform-mbean", "type", "threading"),
                params).getAsJsonArray();
        List<String> names = new ArrayList<>();
        for (JsonElement t : threads) {
            names.add(t.getAsJsonObject().get("thread-name").getAsString());
        }
        return names;
    }

    /** A deployment's status: OK, FAILED, STOPPED or NO_METRICS. */
    String deploymentStatus(String deployment) throws Exception {
        return execute("read-attribute", List.of("deployment", deployment), param("name", "status")).getAsString();
    }

    /** {@code undeploy --keep-content}: stops the deployment and keeps its content in the server. */
    void undeploy(String deployment) throws Exception {
        execute("undeploy", List.of("deployment", deployment), null);
    }

    /** {@code deploy --name=}: deploys content the server already holds. */
    void deploy(String deployment) throws Exception {
        execute("deploy", List.of("deployment", deployment), null);
    }

    /** {@code /system-property=NAME:add(value=VALUE)}: a system property of the server's JVM, set live. */
    void addSystemProperty(String name, String value) throws Exception {
        execute("add", List.of("system-property", name), param("value", value));
    }

    /** {@code /system-property=NAME:remove}. */
    void removeSystemProperty(String name) throws Exception {
        execute("remove", List.of("system-property", name), null);
    }

    static JsonObject param(String name, String value) {
        JsonObject o = new JsonObject();
        o.addProperty(name, value);
        return o;
    }

    static JsonObject param(String name, boolean value) {
        JsonObject o = new JsonObject();
        o.addProperty(name, value);
        return o;
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the management client", e);
        }
    }
}
