package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** What each built artifact carries of the NATS client and of the JWT library. */
class PackagingIT {
    /** Connection tokens are verified with Nimbus JOSE+JWT (README: Dependencies): both node artifacts need it. */
    @Test
    void theWarAndTheLauncherJarCarryNimbusJoseJwtTheDaemonJarDoesNot() throws Exception {
        try (ZipFile war = new ZipFile(JarProcess.jar("channel-push.war").toFile())) {
            assertTrue(war.stream().anyMatch(e -> e.getName().matches("WEB-INF/lib/nimbus-jose-jwt-[0-9.]+\\.jar")),
                    "nimbus-jose-jwt is missing from WEB-INF/lib: connection tokens cannot be verified");
        }
        try (ZipFile launcher = new ZipFile(JarProcess.jar("channel-push-launcher.jar").toFile())) {
            assertNotNull(launcher.getEntry("com/nimbusds/jwt/SignedJWT.class"), "Nimbus JOSE+JWT in the launcher jar");
            assertNotNull(launcher.getEntry("com/nimbusds/jose/crypto/MACVerifier.class"));
            assertNotNull(launcher.getEntry("io/channelpush/push/auth/ConnectionTokens.class"));
        }
        try (ZipFile daemon = new ZipFile(JarProcess.jar("channel-daemon.jar").toFile())) {
            assertFalse(daemon.stream().anyMatch(e -> e.getName().startsWith("com/nimbusds/")),
                    "Nimbus JOSE+JWT is in the daemon jar");
        }
    }

    @Test
    void theWarAndTheLauncherJarCarryJnatsAndBouncyCastleTheDaemonJarNeither() throws Exception {
        try (ZipFile war = new ZipFile(JarProcess.jar("channel-push.war").toFile())) {
            assertTrue(war.stream().anyMatch(e -> e.getName().matches("WEB-INF/lib/jnats-[0-9.]+\\.jar")),
                    "jnats is missing from WEB-INF/lib");
            // jnats signs NKey and .creds authentication with BouncyCastle's Ed25519 (README: Dependencies)
            assertTrue(war.stream().anyMatch(e -> e.getName().startsWith("WEB-INF/lib/bcprov")),
                    "BouncyCastle is missing from WEB-INF/lib: NATS NKey authentication needs it");
        }
        try (ZipFile launcher = new ZipFile(JarProcess.jar("channel-push-launcher.jar").toFile())) {
            assertNotNull(launcher.getEntry("io/nats/client/Nats.class"));
            assertNotNull(launcher.getEntry("io/channelpush/push/bus/NatsBus.class"));
            assertNotNull(launcher.getEntry("org/bouncycastle/crypto/signers/Ed25519Signer.class"));
        }
        try (ZipFile daemon = new ZipFile(JarProcess.jar("channel-daemon.jar").toFile())) {
            assertFalse(daemon.stream().anyMatch(e -> e.getName().startsWith("io/nats/")), "jnats is in the daemon jar");
            assertFalse(daemon.stream().anyMatch(e -> e.getName().startsWith("org/bouncycastle/")),
                    "BouncyCastle is in the daemon jar");
            assertFalse(daemon.stream().anyMatch(e -> e.getName().startsWith("io/channelpush/push/")),
                    "push classes are in the daemon jar");
        }
    }
}
