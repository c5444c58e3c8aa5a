package io.channelpush.push;

import static io.channelpush.push.InboundMessage.Verdict.DISCARDED;
import static io.channelpush.push.InboundMessage.Verdict.PART;
import static io.channelpush.push.InboundMessage.Verdict.TOO_BIG;
import static io.channelpush.push.InboundMessage.Verdict.WHOLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The running byte count of {@link InboundMessage}, without sockets. */
class InboundMessageTest {

    @Test
    void partsAreJoinedUpToTheLimitInclusive() {
        InboundMessage m = new InboundMessage(10);
        assertEquals(PART, m.text("abcde", false));
        assertEquals(WHOLE, m.text("fghij", true));
        assertEquals("abcdefghij", m.take());
        assertEquals(WHOLE, m.text("one", true));
        assertEquals("one", m.take());
    }

    @Test
    void theFirstPartPastTheLimitIsRefusedAndTheRestOfThatMessageDiscarded() {
        InboundMessage m = new InboundMessage(10);
        assertEquals(PART, m.text("abcdefghij", false));
        assertEquals(TOO_BIG, m.text("k", false));
        assertEquals(DISCARDED, m.text("more", false));
        assertEquals(DISCARDED, m.text("end", true));
        assertEquals(WHOLE, m.text("next", true), "the count starts again with the next message");
    }

    @Test
    void textIsCountedInUtf8Bytes() {
        assertEquals(2, InboundMessage.utf8Length("é"));
        assertEquals(3, InboundMessage.utf8Length("€"));
        assertEquals(4, InboundMessage.utf8Length("😀"));
        InboundMessage m = new InboundMessage(10);
        assertEquals(TOO_BIG, m.text("éééééé", true), "6 characters, 12 bytes");
    }

    @Test
    void binaryPartsCountAgainstTheSameLimit() {
        InboundMessage m = new InboundMessage(10);
        assertEquals(PART, m.binary(6, false));
        assertEquals(TOO_BIG, m.binary(5, true));
        assertEquals(WHOLE, m.binary(10, true));
    }
}
