/**
 * The embedded launcher: boots Undertow with the same deployment as the WAR and, unless told to use an
 * external one, an in-process channel daemon. Its HTTP listeners ({@code HttpListeners}, {@code HeadGuard}) carry
 * the wire limits that WildFly configures on its own http-listener: request head size and line count, parse and
 * read timeouts, and accepts kept under the process's descriptor limit. The deployment's servlet executor
 * ({@code UpgradesOnIoThread}) runs WebSocket handshakes on the I/O thread that read them.
 */
package io.channelpush.launcher;
