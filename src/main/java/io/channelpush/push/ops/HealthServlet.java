package io.channelpush.push.ops;

import com.google.gson.JsonObject;
import io.channelpush.push.PushNode;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Health checks for load balancers and probes. {@code /health/live}: 200 while the deployment runs, 503 once the
 * node died of an error it cannot recover from ({@link io.channelpush.push.NodeHealth#live()}; restart it). {@code /health/ready}: 200
 * when live, connected to the bus, holding its worker id there and accepting sockets, else 503 — it turns 503
 * first when the node stops. JSON bodies. Stateless; thread-safe.
 */
public final class HealthServlet extends HttpServlet {
    private transient PushNode node;

    @Override
    public void init() throws ServletException {
        node = PushNode.of(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        JsonObject body = new JsonObject();
        body.addProperty("worker", node.workerId());
        int status;
        switch (path) {
            case "/live" -> {
                status = node.health().live() ? 200 : 503;
                body.addProperty("status", status == 200 ? "UP" : "DOWN");
                if (!node.health().live()) {
                    body.addProperty("reason", node.health().deathReason() + "; restart the node");
                }
            }
            case "/ready" -> {
                boolean bus = node.health().busConnected();
                boolean accepting = node.health().accepting();
                boolean workerId = node.health().workerIdHeld();
                status = bus && accepting && workerId ? 200 : 503;
                body.addProperty("status", status == 200 ? "UP" : "DOWN");
                body.addProperty("bus", bus ? "connected" : "disconnected");
                body.addProperty("accepting", accepting);
                body.addProperty("worker_id", workerId ? "held" : "not held (in use by another node, or not granted yet)");
                body.addProperty("connections", node.connectionCount());
                // not a condition of readiness: every node copies at once after the daemon restarts, and a node
                // out of the load balancer then would only add an outage to a few seconds of late group joins
                body.addProperty("user_groups", node.health().userGroupsComplete() ? "complete" : "copying from another node");
            }
            default -> {
                status = 404;
                body.addProperty("status", "UNKNOWN");
                body.addProperty("message", "use /health/live or /health/ready");
            }
        }
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().write(body.toString());
    }
}
