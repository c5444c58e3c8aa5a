package io.channelpush.push;

import io.channelpush.push.auth.FormData;
import io.channelpush.push.auth.PublishAuthenticator;
import io.channelpush.push.bus.BusUnavailableException;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The publisher, at the context root ({@code /}), GET or form-encoded POST:
 * {@code ?content=X} broadcasts to every connection of every node; {@code ?to_worker_id=W&to_connection_id=C&content=X}
 * pushes to one connection; {@code ?group_id=G&content=X} sends to a group. Answers {@code ok} (200), a one-line
 * reason with 400, 401, 413 or 415 for a bad request, 503 when the bus cannot take the message. When publish keys
 * or tokens are configured every request must be signed ({@link io.channelpush.push.auth.PublishSigner}) or carry a
 * token. Thread-safe.
 */
@WebServlet(name = "publisher", urlPatterns = "")
public final class PublisherServlet extends HttpServlet {
    private static final Logger LOG = Logger.getLogger(PublisherServlet.class.getName());
    private static final String FORM = "application/x-www-form-urlencoded";

    private transient PushNode node;
    private transient PublishAuthenticator auth;
    private final AtomicBoolean warnedOpen = new AtomicBoolean();

    @Override
    public void init() throws ServletException {
        node = PushNode.of(getServletContext());
        auth = PublishAuthenticator.fromSettings(node.config().publishKeys(), node.config().publishTokens());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        publish(req, resp, new byte[0]);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long max = node.config().maxContentBytes();
        // Percent-encoding at most triples the content; anything bigger is refused before it is read.
        long limit = 3 * max + 4096;
        if (req.getContentLengthLong() > limit) {
            answer(resp, 413, "content is larger than " + max + " bytes");
            return;
        }
        String type = req.getContentType();
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith(FORM)) {
            answer(resp, 415, "POST bodies must be " + FORM);
            return;
        }
        byte[] body = req.getInputStream().readNBytes((int) limit + 1);
        if (body.length > limit) {
            answer(resp, 413, "content is larger than " + max + " bytes");
            return;
        }
        publish(req, resp, body);
    }

    private void publish(HttpServletRequest req, HttpServletResponse resp, byte[] body) throws IOException {
        String query = req.getQueryString();
        if (auth == null) {
            warnIfOpenToTheNetwork(req);
        } else {
            PublishAuthenticator.Verdict v = auth.check(req.getMethod(), req.getRequestURI(), query, body, req::getHeader);
            if (!v.accepted()) {
                LOG.info(() -> "publish from " + req.getRemoteAddr() + " refused with " + v.status() + ": " + v.reason());
                answer(resp, v.status(), v.reason());
                return;
            }
        }
        Map<String, List<String>> params;
        String form = new String(body, StandardCharsets.UTF_8);
        try {
            // the URL's parameters first, then the form body's; empty parts are skipped
            params = FormData.parse(query == null ? form : query + "&" + form);
        } catch (IllegalArgumentException e) {
            answer(resp, 400, "the parameters cannot be decoded: " + e.getMessage());
            return;
        }
        route(params, resp);
    }

    private void route(Map<String, List<String>> params, HttpServletResponse resp) throws IOException {
        String content = one(params, "content");
        String worker = one(params, "to_worker_id");
        String connection = one(params, "to_connection_id");
        String group = one(params, "group_id");
        if (content == null || content.isEmpty()) {
            answer(resp, 400, "content is missing or empty");
            return;
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > node.config().maxContentBytes()) {
            answer(resp, 413, "content is larger than " + node.config().maxContentBytes() + " bytes");
            return;
        }
        if ((worker == null) != (connection == null)) {
            answer(resp, 400, "to_worker_id and to_connection_id go together");
            return;
        }
        if (worker != null && group != null) {
            answer(resp, 400, "give either to_worker_id/to_connection_id or group_id, not both");
            return;
        }
        try {
            if (worker != null) {
                long id = connectionId(connection);
                if (id <= 0 || worker.isEmpty()) {
                    answer(resp, 400, "to_connection_id must be a positive whole number and to_worker_id non-empty");
                    return;
                }
                node.pushTo(worker, id, content);
            } else if (group != null) {
                if (group.isEmpty() || group.length() > node.config().maxGroupIdLength()) {
                    answer(resp, 400, "group_id must be 1 to " + node.config().maxGroupIdLength() + " characters");
                    return;
                }
                node.sendToGroup(group, content);
            } else {
                node.broadcast(content);
            }
        } catch (BusUnavailableException e) {
            LOG.warning(() -> "publish refused with 503: " + e.getMessage());
            answer(resp, 503, "the message bus cannot take messages now; try again later");
            return;
        }
        answer(resp, 200, "ok");
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null ? null : v.get(0);
    }

    private void warnIfOpenToTheNetwork(HttpServletRequest req) {
        if (!warnedOpen.get()) {
            String warning = node.config().openPublisherWarning(req.getLocalAddr());
            if (warning != null && warnedOpen.compareAndSet(false, true)) {
                LOG.warning(warning);
            }
        }
    }

    private static long connectionId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void answer(HttpServletResponse resp, int status, String text) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=UTF-8");
        if (status == 401) {
            resp.setHeader("WWW-Authenticate", "ChannelPush-HMAC-SHA256");
        }
        resp.getWriter().write(status == 200 ? text : text + "\n");
    }
}
