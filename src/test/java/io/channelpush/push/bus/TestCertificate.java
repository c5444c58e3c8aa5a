package io.channelpush.push.bus;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 made at test time with the JDK's keytool, in the forms both sides need:
 * a PKCS#12 key store (for a Java client's key store), a PKCS#12 trust store holding only the certificate, and PEM
 * certificate and PKCS#8 key files (for nats-server). Immutable.
 */
final class TestCertificate {
    static final String PASSWORD = "changeit";

    final Path keyStore;
    final Path trustStore;
    final Path certPem;
    final Path keyPem;

    private TestCertificate(Path keyStore, Path trustStore, Path certPem, Path keyPem) {
        this.keyStore = keyStore;
        this.trustStore = trustStore;
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    /** Makes the files {@code name.p12}, {@code name-trust.p12}, {@code name.pem}, {@code name-key.pem} in dir. */
    static TestCertificate create(Path dir, String name) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance(p12.toFile(), PASSWORD.toCharArray());
        Certificate cert = ks.getCertificate(name);
        PrivateKey key = (PrivateKey) ks.getKey(name, PASSWORD.toCharArray());
        Path trust = dir.resolve(name + "-trust.p12");
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry(name, cert);
        try (OutputStream o = Files.newOutputStream(trust)) {
            ts.store(o, PASSWORD.toCharArray());
        }
        Path certPem = Files.writeString(dir.resolve(name + ".pem"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyPem = Files.writeString(dir.resolve(name + "-key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        return new TestCertificate(p12, trust, certPem, keyPem);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
