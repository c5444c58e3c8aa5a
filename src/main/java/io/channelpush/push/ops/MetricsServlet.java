package io.channelpush.push.ops;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code /metrics} in the Prometheus text format, from the deployment's {@link NodeMetrics}. Thread-safe. */
public final class MetricsServlet extends HttpServlet {
    /** Servlet context attribute holding the deployment's {@link NodeMetrics}. */
    public static final String ATTRIBUTE = NodeMetrics.class.getName();

    private transient NodeMetrics metrics;

    @Override
    public void init() throws ServletException {
        metrics = (NodeMetrics) getServletContext().getAttribute(ATTRIBUTE);
        if (metrics == null) {
            throw new ServletException("no metrics in the servlet context: PushContextListener did not run");
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType(metrics.contentType());
        resp.setHeader("Cache-Control", "no-store");
        metrics.write(resp.getOutputStream());
    }
}
