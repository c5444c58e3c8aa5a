package io.channelpush;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.channelpush.channel.archfixture.ClientUsingUndertow;
import io.channelpush.push.archfixture.NodeUsingTheDaemon;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries as a build failure: each rule is checked against the production classes (a violation fails
 * {@code mvn test} with the offending class, member and line), and each is shown to fail once, against a
 * deliberately violating class kept in test sources ({@code io.channelpush.*.archfixture}).
 */
class ModuleBoundariesTest {
    /** The classes allowed to use Undertow and XNIO types outside the launcher: the Undertow-specific fast paths. */
    static final List<String> UNDERTOW_CLASSES = List.of(
            "io.channelpush.push.UndertowExtension",
            "io.channelpush.push.RequestBounds",
            "io.channelpush.push.HandshakeRelease",
            "io.channelpush.push.MethodGuard",
            "io.channelpush.push.FrameSenders",
            "io.channelpush.push.UndertowFrameSender",
            "io.channelpush.push.FrameGate",
            "io.channelpush.push.publish.PublishHandler");

    /** The daemon jar ships without the web stack, NATS or the node; the client is embedded in the node. */
    static final ArchRule CHANNEL_STANDS_ALONE = noClasses().that().resideInAPackage("io.channelpush.channel..")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "io.undertow..", "org.xnio..",
                    "io.nats..", "io.channelpush.push..", "io.channelpush.launcher..")
            .because("the channel daemon and its client run without a servlet container, NATS or the push node");

    /** The node talks to the daemon through its client only. */
    static final ArchRule PUSH_WITHOUT_DAEMON = noClasses().that().resideInAPackage("io.channelpush.push..")
            .should().dependOnClassesThat().resideInAPackage("io.channelpush.channel.daemon..")
            .because("a push node reaches the daemon over the wire, through io.channelpush.channel.client");

    /** Undertow and XNIO types only in the launcher and the named classes, so the WAR stays portable elsewhere. */
    static final ArchRule UNDERTOW_ONLY_WHERE_NAMED = noClasses().that().resideOutsideOfPackage("io.channelpush.launcher..")
            .and().haveNameNotMatching("(" + String.join("|", UNDERTOW_CLASSES).replace(".", "\\.") + ")(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage("io.undertow..", "org.xnio..")
            .because("everything else uses the Jakarta APIs only; each Undertow fast path has a portable twin");

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.channelpush");

    @Test
    void productionClassesKeepTheModuleBoundaries() {
        assertTrue(PRODUCTION.contain("io.channelpush.push.PushNode")
                && PRODUCTION.contain("io.channelpush.channel.daemon.ChannelDaemon")
                && PRODUCTION.contain("io.channelpush.launcher.Launcher"), "the import found the production classes");
        CHANNEL_STANDS_ALONE.check(PRODUCTION);
        PUSH_WITHOUT_DAEMON.check(PRODUCTION);
        UNDERTOW_ONLY_WHERE_NAMED.check(PRODUCTION);
    }

    @Test
    void daemonOrClientCodeUsingUndertowFailsTheBuild() {
        assertReports(CHANNEL_STANDS_ALONE.evaluate(new ClassFileImporter().importClasses(ClientUsingUndertow.class)),
                ClientUsingUndertow.class, "io.undertow.util.Headers");
    }

    @Test
    void pushCodeUsingTheDaemonFailsTheBuild() {
        assertReports(PUSH_WITHOUT_DAEMON.evaluate(new ClassFileImporter().importClasses(NodeUsingTheDaemon.class)),
                NodeUsingTheDaemon.class, "io.channelpush.channel.daemon.DaemonConfig");
    }

    @Test
    void undertowOutsideTheNamedClassesFailsTheBuild() {
        assertReports(UNDERTOW_ONLY_WHERE_NAMED.evaluate(new ClassFileImporter().importClasses(NodeUsingTheDaemon.class)),
                NodeUsingTheDaemon.class, "io.undertow.util.Headers");
    }

    private static void assertReports(EvaluationResult result, Class<?> violator, String used) {
        assertTrue(result.hasViolation(), "the rule reports " + violator.getSimpleName());
        String report = result.getFailureReport().toString();
        assertTrue(report.contains(violator.getName()) && report.contains(used), report);
    }
}
