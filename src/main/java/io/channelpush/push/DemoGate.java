package io.channelpush.push;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;

/**
 * Turns the demo page off: answers 404 to every request for {@code /demo} or below it, so that a node with the
 * demo off looks exactly like one without it. {@link PushContextListener} installs it, on {@code /*}, only when
 * {@code channelpush.demo-enabled} is false.
 *
 * <p>It is mapped to {@code /*} and normalizes the path itself rather than relying on a {@code /demo/*} mapping:
 * Undertow matches filter mappings against the path as sent, while its default servlet resolves
 * {@code //demo/index.html} or {@code /x/../demo/index.html} to the demo's files.
 *
 * <p>Thread-safe (stateless).
 */
final class DemoGate implements Filter {
    static final String URL_PATTERN = "/*";

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest r = (HttpServletRequest) req;
        String path = r.getServletPath() + (r.getPathInfo() == null ? "" : r.getPathInfo());
        if (isDemoPath(path)) {
            ((HttpServletResponse) resp).sendError(HttpServletResponse.SC_NOT_FOUND);
        } else {
            chain.doFilter(req, resp);
        }
    }

    /**
     * Whether a decoded path inside the web application names {@code /demo} or anything below it once empty,
     * {@code .} and {@code ..} segments and path parameters are resolved; case-insensitive, {@code \} counts as
     * {@code /}.
     */
    static boolean isDemoPath(String path) {
        int depth = 0;
        String first = null;
        for (String segment : path.replace('\\', '/').split("/")) {
            int semicolon = segment.indexOf(';');
            String s = semicolon < 0 ? segment : segment.substring(0, semicolon);
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                depth = Math.max(0, depth - 1);
            } else {
                if (depth == 0) {
                    first = s;
                }
                depth++;
            }
        }
        // The first segment that stays at the top once ".." is resolved decides.
        return depth > 0 && first != null && first.toLowerCase(Locale.ROOT).equals("demo");
    }
}
