package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Channel names to NATS subjects and back, without sockets. */
class NatsSubjectsTest {
    /** An optional kind token, then one token, of the characters NATS never treats specially. */
    private static final Pattern SAFE = Pattern.compile("channelpush\\.([a-z]+\\.)?[A-Za-z0-9_-]+");

    @ParameterizedTest
    @ValueSource(strings = {"broadcast", "send_to_group", "w-k3x9q2", "node.a", "node:a", "*", ">", "a.*.>", ".",
            "..", " ", "two words", "tab\there", "new\nline", "_", "__", "_41", "%41", "\u00e9", "\u4e16\u754c",
            "\ud83d\ude80", "", "-", "channelpush.broadcast", "\u0000", "b", "g", "w:b", "w:g", "w:w:b", "w:",
            "w:node.a", "w:*", "W:a", ":a", "w1:a", "\u00e9:a"})
    void everyNameMakesSafeTokensAndComesBack(String channel) {
        String subject = NatsSubjects.subject(channel);
        assertTrue(SAFE.matcher(subject).matches(), subject);
        assertEquals(channel, NatsSubjects.channel(subject));
    }

    @Test
    void plainNamesStayReadable() {
        assertEquals("channelpush.broadcast", NatsSubjects.subject("broadcast"));
        assertEquals("channelpush.w-k3x9q2", NatsSubjects.subject("w-k3x9q2"));
        assertEquals("channelpush.node-A1", NatsSubjects.subject("node-A1"));
    }

    @Test
    void reservedCharactersAreEscapedAsUtf8Bytes() {
        assertEquals("channelpush.send_5fto_5fgroup", NatsSubjects.subject("send_to_group"));
        assertEquals("channelpush.node_2ea", NatsSubjects.subject("node.a"));
        assertEquals("channelpush._2a", NatsSubjects.subject("*"));
        assertEquals("channelpush._3e", NatsSubjects.subject(">"));
        assertEquals("channelpush.a_20b", NatsSubjects.subject("a b"));
        assertEquals("channelpush._c3_a9", NatsSubjects.subject("\u00e9"));
        assertEquals("channelpush._", NatsSubjects.subject(""));
    }

    @Test
    void distinctNamesGetDistinctSubjects() {
        List<String> names = List.of("a_b", "a.b", "a_2eb", "a-b", "A-b", "", "_", "__", "_5f", "a b", "a  b");
        Set<String> subjects = new HashSet<>();
        for (String n : names) {
            subjects.add(NatsSubjects.subject(n));
        }
        assertEquals(names.size(), subjects.size());
        assertNotEquals(NatsSubjects.subject("_"), NatsSubjects.subject(""));
    }

    @Test
    void eachKindOfTrafficHasItsOwnSubjectNamespace() {
        assertEquals("channelpush.b", NatsSubjects.subject(Channels.BROADCAST));
        assertEquals("channelpush.g", NatsSubjects.subject(Channels.GROUPS));
        assertEquals("channelpush.w.node-1", NatsSubjects.subject(Channels.worker("node-1")));
        assertEquals("channelpush.w.node_2e1_3ab", NatsSubjects.subject(Channels.worker("node.1:b")));
        // worker ids that spell the other kinds stay workers
        for (String id : List.of("b", "g", "broadcast", "send_to_group", "w", "b.>", "*", ">")) {
            String subject = NatsSubjects.subject(Channels.worker(id));
            assertTrue(subject.startsWith("channelpush.w.") && subject.indexOf('.', 14) < 0, subject);
            assertNotEquals(NatsSubjects.subject(Channels.BROADCAST), subject);
            assertNotEquals(NatsSubjects.subject(Channels.GROUPS), subject);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"other.broadcast", "channelpush.a.b.c", "channelpush.A.b", "channelpush..b", "channelpush._2", "channelpush._zz", "channelpush._2A",
            "channelpush._61", "channelpush._ff", "channelpush.a b", "channelpush."})
    void subjectsThatNoNameMakesAreRejected(String subject) {
        assertThrows(IllegalArgumentException.class, () -> NatsSubjects.channel(subject));
    }
}
