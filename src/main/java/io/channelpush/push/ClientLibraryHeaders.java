package io.channelpush.push;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The caching headers of the browser client library, {@value #PATH} (a static file of the WAR, served by the
 * container's default servlet, always, demo or not): {@code Cache-Control: no-cache}, so that a browser revalidates
 * it (a cheap 304 on its {@code Last-Modified}) and picks up a new deployment's library at once (the library and
 * the node's protocol change together), and {@code X-Content-Type-Options: nosniff}. {@link PushContextListener}
 * installs it. Thread-safe (stateless).
 */
final class ClientLibraryHeaders implements Filter {
    static final String PATH = "/channel-push.js";

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        HttpServletResponse r = (HttpServletResponse) resp;
        r.setHeader("Cache-Control", "no-cache");
        r.setHeader("X-Content-Type-Options", "nosniff");
        chain.doFilter(req, resp);
    }
}
