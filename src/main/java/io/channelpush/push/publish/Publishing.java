package io.channelpush.push.publish;

import static io.channelpush.push.publish.PublishAnswers.now;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.PushConfig;
import io.channelpush.push.PushNode;
import io.channelpush.push.auth.FormData;
import io.channelpush.push.auth.PublishAuthenticator;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.PublishOutcomeUnknownException;
import io.channelpush.push.presence.Presence;
import io.channelpush.push.presence.ScatterGather;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The publisher's rules, whatever carries the request ({@link PublisherServlet}, or {@link PublishHandler} on
 * Undertow's I/O thread): {@code ?content=X} broadcasts, {@code ?to_worker_id=W&to_connection_id=C&content=X}
 * pushes to one connection, {@code ?group_id=G&content=X} sends to a group, {@code ?to_uid=U&content=X} to every
 * connection of a user; {@code ?uid=U&add_group=G} (or {@code remove_group}) gives a user a group (or takes it),
 * {@code ?bind_uid=U&to_worker_id=W&to_connection_id=C} (or {@code unbind_uid}) sets a connection's user, all as GET
 * or form-encoded POST ({@link UserRequests}); presence queries ({@code presence}, {@code group_members},
 * {@code online}, {@code user_groups}) as GET only, answered in JSON ({@link PresenceRequests}). One
 * {@link Answer} per request, as a future: {@code ok} (200) once the bus acknowledged the message, a one-line reason
 * with 400, 401, 409, 413, 415, 429 or 507, 503 when the bus certainly did not take the message, 504 when it did
 * not confirm it within {@code channelpush.publish-ack-timeout-ms} ({@link PublishAnswers#acked}). Never blocks (except the
 * publish reports below), so the I/O thread may call it on either bus. One per node (one replay cache), built by
 * the deployment's wiring ({@code PushContextListener}) and found by {@link PublishHandler} under
 * {@link #ATTRIBUTE}. A push with {@code report=1} or {@code Accept: application/json} is answered with its publish
 * report ({@link io.channelpush.push.presence.PublishReport}), which waits for the nodes: the servlet answers those.
 * Thread-safe.
 */
public final class Publishing {
    /** Servlet context attribute holding the deployment's publisher. */
    public static final String ATTRIBUTE = Publishing.class.getName();
    private static final Logger LOG = Logger.getLogger(Publishing.class.getName());
    static final String FORM = "application/x-www-form-urlencoded";
    /** Every parameter the publisher takes; any other is refused (400). */
    static final List<String> PARAMETERS = List.of("content", "to_worker_id", "to_connection_id", "group_id",
            "to_uid", "uid", "add_group", "remove_group", "bind_uid", "unbind_uid", "presence", "group_members",
            "limit", "after", "online", "user_groups", "report");

    /**
     * What to answer: a status, a line of text (or a JSON object when {@code json}), and for 429 and 503 the seconds
     * for {@code Retry-After} (else 0).
     */
    record Answer(int status, String text, long retryAfterSeconds, boolean json) {
        static final Answer OK = new Answer(200, "ok");

        Answer(int status, String text) {
            this(status, text, 0);
        }

        Answer(int status, String text, long retryAfterSeconds) {
            this(status, text, retryAfterSeconds, false);
        }

        /** 200 with a JSON object. */
        static Answer json(String object) {
            return new Answer(200, object, 0, true);
        }

        String contentType() {
            return json ? "application/json" : "text/plain;charset=UTF-8";
        }
    }

    private final PushNode node;
    private final PublishAuthenticator auth;
    private final PublishAnswers answers;
    private final AtomicBoolean warnedOpen = new AtomicBoolean();
    /**
     * Local addresses a publish came in on that need no warning (loopback ones, or any when the publisher is
     * authenticated): a node's own few addresses, so bounded by {@link #QUIET_ADDRESSES}; without it every publish
     * parsed its address again (about 1 % of a node's CPU under targeted pushes).
     */
    private final Set<String> quietAddresses = ConcurrentHashMap.newKeySet();
    private static final int QUIET_ADDRESSES = 16;
    /** Anyone who reaches the publisher port can provoke these. */
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, Level.INFO);

    /** The publisher of {@code node}, with its authentication settings. */
    public Publishing(PushNode node) {
        this.node = node;
        this.answers = new PublishAnswers(node);
        PushConfig c = node.config();
        this.auth = PublishAuthenticator.fromSettings(c.publishKeys(), c.publishTokens(), c.publishMaxClockSkewSeconds(),
                c.publishReplayCacheNonces());
    }

    PushNode node() {
        return node;
    }

    /** Longest POST body accepted: percent-encoding at most triples the content. */
    long bodyLimit() {
        return 3L * node.config().maxContentBytes() + 4096;
    }

    /**
     * Checks a POST before its body is read.
     *
     * @param contentLength the declared length, or -1
     * @return the answer to give at once, or null to read the body (at most {@link #bodyLimit()} bytes)
     */
    Answer checkPost(long contentLength, String contentType) {
        if (contentLength > bodyLimit()) {
            return tooLarge();
        }
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(FORM)) {
            return new Answer(415, "POST bodies must be " + FORM);
        }
        return null;
    }

    Answer tooLarge() {
        return new Answer(413, "content is larger than " + node.config().maxContentBytes() + " bytes");
    }

    /**
     * Authenticates, parses and routes one request.
     *
     * @param query the URL's query string as sent, or null
     * @param body the form body (empty for GET)
     * @param header request header lookup (name to value, or null)
     * @param localAddress the address the request came in on, for the open-publisher warning
     * @param remoteAddress the client's address, for the log
     */
    CompletableFuture<Answer> publish(String method, String path, String query, byte[] body,
                                      UnaryOperator<String> header, String localAddress, String remoteAddress) {
        return publish(method, path, query, body, header, localAddress, remoteAddress, true);
    }

    /**
     * As {@link #publish(String, String, String, byte[], UnaryOperator, String, String)}; {@code mayWait} false on
     * an I/O thread, where a publish report (which waits for the nodes) is refused.
     */
    CompletableFuture<Answer> publish(String method, String path, String query, byte[] body,
                                      UnaryOperator<String> header, String localAddress, String remoteAddress,
                                      boolean mayWait) {
        if (query != null && query.isEmpty()) {
            query = null;
        }
        if (auth == null) {
            warnIfOpenToTheNetwork(localAddress);
        } else {
            PublishAuthenticator.Verdict v = auth.check(method, path, query, body, header);
            if (!v.accepted()) {
                refusals.log(() -> "publish from " + remoteAddress + " refused with " + v.status() + ": " + v.reason());
                return now(new Answer(v.status(), v.reason(), v.retryAfterSeconds()));
            }
        }
        Map<String, List<String>> params;
        String form = new String(body, StandardCharsets.UTF_8);
        try {
            // the URL's parameters first, then the form body's; empty parts are skipped
            params = FormData.parse(query == null ? form : query + "&" + form);
        } catch (IllegalArgumentException e) {
            return now(new Answer(400, "the parameters cannot be decoded: " + e.getMessage()));
        }
        if (form.contains("report") && reportInBody(form)) {
            // the I/O-thread handler decides from the URL and headers whether to hand a request to the servlet
            return now(new Answer(400, "give report=1 in the URL (or send Accept: application/json), not in the "
                    + "form body"));
        }
        return route(method, params, wantsJson(header.apply("Accept")), mayWait);
    }

    private static boolean reportInBody(String form) {
        try {
            return FormData.parse(form).containsKey("report");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether an {@code Accept} header names JSON: then a push is answered with its publish report. */
    static boolean wantsJson(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/json");
    }

    private CompletableFuture<Answer> route(String method, Map<String, List<String>> params, boolean acceptsJson,
                                            boolean mayWait) {
        Answer refused = checkNames(params);
        if (refused != null) {
            return now(refused);
        }
        String reportValue = one(params, "report");
        if (reportValue != null && !reportValue.equals("1")) {
            return now(new Answer(400, "report takes the value 1"));
        }
        boolean report = reportValue != null || acceptsJson && !PresenceRequests.isPresenceRequest(params)
                && !(UserRequests.isUserRequest(params) && !params.containsKey("to_uid"));
        if (reportValue != null) {
            params = new LinkedHashMap<>(params);
            params.remove("report");
            if (PresenceRequests.isPresenceRequest(params)
                    || UserRequests.isUserRequest(params) && !params.containsKey("to_uid")) {
                return now(new Answer(400, "report goes with pushes only (content with or without to_worker_id, "
                        + "group_id or to_uid)"));
            }
        }
        if (report && !mayWait) {
            // PublishHandler hands these to the servlet; this is a guard, never the I/O thread's wait
            return now(new Answer(500, "a publish report reached the I/O thread"));
        }
        if (PresenceRequests.isPresenceRequest(params)) {
            return now(PresenceRequests.route(node, method, params));
        }
        if (UserRequests.isUserRequest(params)) {
            return UserRequests.route(node, answers, params, report);
        }
        String content = one(params, "content");
        String worker = one(params, "to_worker_id");
        String connection = one(params, "to_connection_id");
        String group = one(params, "group_id");
        if (content == null || content.isEmpty()) {
            return now(new Answer(400, "content is missing or empty"));
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > node.config().maxContentBytes()) {
            return now(tooLarge());
        }
        if ((worker == null) != (connection == null)) {
            return now(new Answer(400, "to_worker_id and to_connection_id go together"));
        }
        if (worker != null && group != null) {
            return now(new Answer(400, "give either to_worker_id/to_connection_id or group_id, not both"));
        }
        try {
            if (worker != null) {
                long id = connectionId(connection);
                if (id <= 0 || worker.isEmpty()) {
                    return now(new Answer(400, "to_connection_id must be a positive whole number and to_worker_id non-empty"));
                }
                if (!PushConfig.isValidWorkerId(worker)) {
                    return now(new Answer(400, "to_worker_id must be " + PushConfig.WORKER_ID_RULE
                            + " (no node can have this id)"));
                }
                if (report) {
                    return now(answers.reported(new BusMessage.Targeted(worker, id, content)));
                }
                return answers.acked(new BusMessage.Targeted(worker, id, content));
            } else if (group != null) {
                if (group.isEmpty() || group.length() > node.config().maxGroupIdLength()) {
                    return now(new Answer(400, "group_id must be 1 to " + node.config().maxGroupIdLength() + " characters"));
                }
                if (report) {
                    return now(answers.reported(new BusMessage.Group(group, content)));
                }
                return answers.acked(new BusMessage.Group(group, content));
            } else if (report) {
                return now(answers.reported(new BusMessage.Broadcast(content)));
            } else {
                return answers.acked(new BusMessage.Broadcast(content));
            }
        } catch (BusUnavailableException e) {
            return now(answers.busUnavailable(e));
        } catch (PublishOutcomeUnknownException e) {
            return now(answers.outcomeUnknown(e));
        }
    }

    /**
     * Refuses a name the publisher does not know (a typo such as {@code to_worker=} would otherwise turn a
     * targeted push into a broadcast) and a name given twice, the query and the form body counted together (so a
     * signature over {@code content=A&content=B} cannot be replayed as {@code content=B&content=A}).
     */
    private static Answer checkNames(Map<String, List<String>> params) {
        List<String> unknown = null;
        for (String name : params.keySet()) {
            if (!PARAMETERS.contains(name)) {
                unknown = unknown == null ? new ArrayList<>() : unknown;
                unknown.add(name);
            }
        }
        if (unknown != null) {
            return new Answer(400, "unknown parameter" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown.stream().map(Publishing::printable).toList())
                    + "; the publisher takes " + String.join(", ", PARAMETERS));
        }
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            if (e.getValue().size() > 1) {
                return new Answer(400, "parameter " + e.getKey() + " is given " + e.getValue().size()
                        + " times (URL and form body together); give it once");
            }
        }
        return null;
    }

    /** A client-chosen name for a one-line answer: at most 64 characters, no control characters. */
    private static String printable(String name) {
        String cut = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return "\"" + cut.replaceAll("\\p{Cntrl}", "?") + "\"";
    }

    static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null ? null : v.get(0);
    }

    private void warnIfOpenToTheNetwork(String localAddress) {
        if (!warnedOpen.get() && !quietAddresses.contains(localAddress)) {
            String warning = node.config().openPublisherWarning(localAddress);
            if (warning == null && quietAddresses.size() < QUIET_ADDRESSES) {
                quietAddresses.add(localAddress);
            }
            if (warning != null && warnedOpen.compareAndSet(false, true)) {
                LOG.warning(warning);
            }
        }
    }

    static long connectionId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
