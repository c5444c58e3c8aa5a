package io.channelpush.push.publish;

import static io.channelpush.push.publish.PublishAnswers.now;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * The publisher at the context root ({@code /}), GET or form-encoded POST, with the rules of {@link Publishing}.
 * On Undertow (WildFly, the launcher) {@link PublishHandler} answers these requests on the I/O thread before they
 * reach this servlet, unless {@code channelpush.publisher-on-io-thread} is false or the bus may block; this servlet
 * is the portable path, and the only one on a bus that may wait (container worker threads may block). Registered
 * at {@code ""} (the context root) by {@code PushContextListener}, not by annotation, so that WildFly and the
 * launcher register it once, the same way. Thread-safe.
 */
public final class PublisherServlet extends HttpServlet {
    /** The methods the publisher takes, as an {@code Allow} header value. */
    public static final String METHODS = "GET, POST";
    private static final Logger LOG = Logger.getLogger(PublisherServlet.class.getName());

    private final transient Publishing publishing;

    public PublisherServlet(Publishing publishing) {
        this.publishing = publishing;
    }

    /**
     * Only GET and POST: the servlet API would answer HEAD by running {@link #doGet} (publishing) and TRACE by
     * echoing the request's headers. On Undertow {@link io.channelpush.push.MethodGuard} refuses these first; this covers other
     * containers.
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String method = req.getMethod();
        if (method.equals("GET") || method.equals("POST")) {
            super.service(req, resp);
        } else {
            resp.setHeader("Allow", METHODS);
            answer(resp, new Publishing.Answer(405, "the publisher takes GET and POST, not " + method));
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        publishing.node().metrics().publishRequestThroughServlet();
        answerWhenDone(req, resp, publish(req, new byte[0]));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        publishing.node().metrics().publishRequestThroughServlet();
        Publishing.Answer early = publishing.checkPost(req.getContentLengthLong(), req.getContentType());
        if (early != null) {
            answer(resp, early);
            return;
        }
        long limit = publishing.bodyLimit();
        byte[] body = req.getInputStream().readNBytes((int) limit + 1);
        answerWhenDone(req, resp, body.length > limit ? now(publishing.tooLarge()) : publish(req, body));
    }

    /**
     * Answers now when the answer is known, else asynchronously (servlet async support: this worker thread does not
     * wait for the bus) once the bus acknowledged, on a container thread ({@code AsyncContext.start}).
     */
    private void answerWhenDone(HttpServletRequest req, HttpServletResponse resp,
                                CompletableFuture<Publishing.Answer> answer) throws IOException {
        Publishing.Answer now = answer.getNow(null);
        if (now != null) {
            answer(resp, now);
            return;
        }
        AsyncContext async = req.startAsync();
        // the publish future is bounded by the ack timeout; this only keeps the container from ending it first
        async.setTimeout(publishing.node().config().publishAckTimeoutMillis() + 5_000L);
        answer.whenComplete((a, e) -> async.start(() -> {
            try {
                answer(resp, a != null ? a : new Publishing.Answer(500, "the publish failed on this node: " + e));
            } catch (IOException | RuntimeException ex) {
                LOG.fine(() -> "publisher answer not written: " + ex);
            } finally {
                async.complete();
            }
        }));
    }

    private CompletableFuture<Publishing.Answer> publish(HttpServletRequest req, byte[] body) {
        return publishing.publish(req.getMethod(), req.getRequestURI(), req.getQueryString(), body, req::getHeader,
                req.getLocalAddr(), req.getRemoteAddr());
    }

    private static void answer(HttpServletResponse resp, Publishing.Answer a) throws IOException {
        resp.setStatus(a.status());
        resp.setContentType(a.contentType());
        if (a.retryAfterSeconds() > 0) {
            resp.setHeader("Retry-After", Long.toString(a.retryAfterSeconds()));
        }
        if (a.status() == 401) {
            resp.setHeader("WWW-Authenticate", "ChannelPush-HMAC-SHA256");
        }
        resp.getWriter().write(a.status() == 200 && !a.json() ? a.text() : a.text() + "\n");
    }
}
