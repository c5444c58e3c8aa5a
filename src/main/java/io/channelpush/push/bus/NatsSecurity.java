package io.channelpush.push.bus;

import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a node proves who it is to NATS and checks who NATS is: at most one of user/password, token, credentials
 * file ({@code .creds}: user JWT and NKey seed) or NKey seed file, plus TLS with a trust store (and a key store for
 * mutual TLS). Everything is handed to jnats through its own {@link Options}; user and password may also be in a
 * server URL ({@code nats://user:pass@host:4222}), which jnats reads itself. Immutable and thread-safe;
 * {@link #toString()} shows no secret.
 *
 * @param user user name, or null
 * @param password the user's password, or null (required with a user)
 * @param token authentication token, or null
 * @param credsFile path of a {@code .creds} file (decentralized JWT authentication), or null
 * @param nkeyFile path of a file holding a user NKey seed ({@code SU...}), or null
 * @param trustStore key store file (PKCS#12 or JKS) of the CAs that sign the NATS servers' certificates, or null
 *                   for the JVM's default trust store
 * @param trustStorePassword its password, or null
 * @param keyStore key store file holding this node's certificate and key for mutual TLS, or null
 * @param keyStorePassword its password (also the key's), or null
 */
public record NatsSecurity(String user, String password, String token, String credsFile, String nkeyFile,
                           String trustStore, String trustStorePassword, String keyStore, String keyStorePassword) {

    /** No authentication; TLS only for {@code tls://} URLs, with the JVM's default trust store. */
    public static final NatsSecurity NONE = new NatsSecurity(null, null, null, null, null, null, null, null, null);

    /**
     * Checks the combination and that every file named is readable, so that a mistake stops the start-up.
     *
     * @throws IllegalArgumentException naming the setting to fix
     */
    public NatsSecurity {
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("NATS user and password go together: set both or neither");
        }
        int ways = (user != null ? 1 : 0) + (token != null ? 1 : 0) + (credsFile != null ? 1 : 0)
                + (nkeyFile != null ? 1 : 0);
        if (ways > 1) {
            throw new IllegalArgumentException("give one way to authenticate to NATS (user/password, token, "
                    + "credentials file or NKey file), not " + ways);
        }
        readable("NATS credentials file", credsFile);
        readable("NATS NKey seed file", nkeyFile);
        readable("NATS trust store", trustStore);
        readable("NATS key store", keyStore);
        if (trustStore != null) {
            load("NATS trust store", trustStore, trustStorePassword);
        }
        if (keyStore != null) {
            load("NATS key store", keyStore, keyStorePassword);
        }
    }

    /** Whether a trust or key store was given: then every connection uses TLS, {@code nats://} URLs too. */
    public boolean tls() {
        return trustStore != null || keyStore != null;
    }

    /** Adds the authentication and TLS options to {@code b}. */
    void applyTo(Options.Builder b) {
        if (user != null) {
            b.userInfo(user.toCharArray(), password.toCharArray());
        }
        if (token != null) {
            b.token(token.toCharArray());
        }
        if (credsFile != null) {
            b.authHandler(Nats.credentials(credsFile));
        }
        if (nkeyFile != null) {
            b.authHandler(Nats.credentials(null, nkeyFile));
        }
        if (tls()) {
            b.sslContext(sslContext());
        }
    }

    private SSLContext sslContext() {
        try {
            TrustManagerFactory tmf = null;
            if (trustStore != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load("NATS trust store", trustStore, trustStorePassword));
            }
            KeyManagerFactory kmf = null;
            if (keyStore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load("NATS key store", keyStore, keyStorePassword), chars(keyStorePassword));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS to NATS: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String what, String file, String password) {
        try {
            return KeyStore.getInstance(new File(file), chars(password));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the " + what + " " + file + ": " + e.getMessage()
                    + " (a PKCS#12 or JKS file and its password)");
        }
    }

    private static char[] chars(String password) {
        return password == null ? new char[0] : password.toCharArray();
    }

    private static void readable(String what, String file) {
        if (file != null && !Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException("the " + what + " " + file + " does not exist or cannot be read");
        }
    }

    /**
     * The operator's hint for an error the NATS server sent, or null when it is not about authentication.
     *
     * @param error the server's {@code -ERR} text, such as {@code Authorization Violation}
     */
    String explain(String error) {
        String e = error.toLowerCase(Locale.ROOT);
        if (!e.contains("authorization") && !e.contains("authentication")) {
            return null;
        }
        return "NATS refused this node's credentials (" + error + "); " + (describeAuth().equals("none")
                ? "the server requires authentication: set one of the channelpush.nats-* credentials settings"
                : "check the " + describeAuth() + " it uses") + "; the node is not ready, and when the same server "
                + "refuses them twice in a row the NATS client gives up and the node stops";
    }

    /** Which way this node authenticates, without secrets: {@code user alice}, {@code token}, ... or {@code none}. */
    public String describeAuth() {
        if (user != null) {
            return "user " + user;
        }
        if (token != null) {
            return "token";
        }
        if (credsFile != null) {
            return "credentials file " + credsFile;
        }
        return nkeyFile != null ? "NKey file " + nkeyFile : "none";
    }

    /** {@code nats://alice:secret@host:4222} as {@code nats://***@host:4222}, for logs. */
    public static String redact(URI server) {
        if (server.getUserInfo() == null) {
            return server.toString();
        }
        return server.getScheme() + "://***@" + server.getHost() + (server.getPort() < 0 ? "" : ":" + server.getPort());
    }

    /** {@link #redact(URI)} of each server, comma-separated. */
    public static String redact(List<URI> servers) {
        List<String> out = new ArrayList<>();
        servers.forEach(s -> out.add(redact(s)));
        return String.join(",", out);
    }

    @Override
    public String toString() {
        return "NatsSecurity[auth=" + describeAuth() + ", trustStore=" + trustStore + ", keyStore=" + keyStore + "]";
    }
}
