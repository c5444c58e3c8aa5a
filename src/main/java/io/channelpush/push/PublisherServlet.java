package io.channelpush.push;

import io.channelpush.push.bus.BusUnavailableException;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * The publisher, at the context root ({@code /}), GET or form-encoded POST:
 * {@code ?content=X} broadcasts to every connection of every node; {@code ?to_worker_id=W&to_connection_id=C&content=X}
 * pushes to one connection; {@code ?group_id=G&content=X} sends to a group. Answers {@code ok} (200), a one-line
 * reason with 400 or 413 for bad input, 503 when the bus cannot take the message. Thread-safe (stateless).
 */
@WebServlet(name = "publisher", urlPatterns = "")
public final class PublisherServlet extends HttpServlet {
    private static final Logger LOG = Logger.getLogger(PublisherServlet.class.getName());

    private transient PushNode node;

    @Override
    public void init() throws ServletException {
        node = (PushNode) getServletContext().getAttribute(PushNode.ATTRIBUTE);
        if (node == null) {
            throw new ServletException("no push node in the servlet context: PushContextListener did not run");
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        publish(req, resp);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long max = node.config().maxContentBytes();
        // Percent-encoding at most triples the content; anything far bigger is refused before it is read.
        if (req.getContentLengthLong() > 3 * max + 4096) {
            answer(resp, 413, "content is larger than " + max + " bytes");
            return;
        }
        req.setCharacterEncoding(StandardCharsets.UTF_8.name());
        publish(req, resp);
    }

    private void publish(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String content;
        String worker;
        String connection;
        String group;
        try {
            content = req.getParameter("content");
            worker = req.getParameter("to_worker_id");
            connection = req.getParameter("to_connection_id");
            group = req.getParameter("group_id");
        } catch (IllegalStateException | IllegalArgumentException e) {
            answer(resp, 400, "the request parameters cannot be read: " + e.getMessage());
            return;
        }
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
        resp.getWriter().write(status == 200 ? text : text + "\n");
    }
}
