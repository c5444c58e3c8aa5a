/**
 * The embedded launcher: boots Undertow with the same deployment as the WAR and, unless told to use an
 * external one, an in-process channel daemon.
 */
package io.channelpush.launcher;
