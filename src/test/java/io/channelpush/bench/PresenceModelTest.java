package io.channelpush.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The presence phase's checks accept the answers a right cluster gives and refuse any answer with a wrong count, a
 * missing or extra member or group, or a missing node: the phase cannot report latency for wrong answers. Five
 * clients on two nodes: users bench-u0 and bench-u1 with two connections, bench-u2 with one; groups presence-0
 * (u0, u2) and presence-1 (u1); the groups phase put client i in bench-(i mod 2).
 */
class PresenceModelTest {
    private final PresenceModel model = new PresenceModel(5, 2, 2, 2);

    @Test
    void totalsMustCountEveryConnectionAndUserFromEveryNode() {
        assertTrue(model.totalsRight("{\"connections\":5,\"users\":3,\"nodes\":2,\"partial\":false}"));
        assertFalse(model.totalsRight("{\"connections\":5,\"users\":2,\"nodes\":2,\"partial\":false}"));
        assertFalse(model.totalsRight("{\"connections\":4,\"users\":3,\"nodes\":2,\"partial\":false}"));
        assertFalse(model.totalsRight("{\"connections\":5,\"users\":3,\"nodes\":1,\"partial\":true,\"missing\":[\"b\"]}"));
        assertFalse(model.totalsRight("{\"connections\":5,\"users\":3,\"users_at_most\":true,\"nodes\":2,\"partial\":false}"));
        assertThrows(IllegalStateException.class,
                () -> model.checkTotals("{\"connections\":6,\"users\":3,\"nodes\":2,\"partial\":false}"));
    }

    @Test
    void aGroupPageMustListExactlyItsUsersWithTheirConnections() {
        String right = "{\"group_id\":\"presence-0\",\"members\":[{\"uid\":\"bench-u0\",\"connections\":2},"
                + "{\"uid\":\"bench-u2\",\"connections\":1}],\"anonymous\":0,\"nodes\":2,\"partial\":false}";
        assertDoesNotThrow(() -> model.checkGroup(0, right));
        assertThrows(IllegalStateException.class, () -> model.checkGroup(0, right.replace("\"connections\":1", "\"connections\":2")));
        assertThrows(IllegalStateException.class, () -> model.checkGroup(0, right.replace(",{\"uid\":\"bench-u2\",\"connections\":1}", "")));
        assertThrows(IllegalStateException.class, () -> model.checkGroup(0, right.replace("\"anonymous\":0", "\"anonymous\":1")));
        assertThrows(IllegalStateException.class, () -> model.checkGroup(1, right));
    }

    @Test
    void onlineMustSayWhoIsOnlineWithHowManyConnections() {
        int[] asked = {1, 2, 7};
        String right = "{\"online\":{\"bench-u1\":true,\"bench-u2\":true,\"bench-u7\":false},"
                + "\"connections\":{\"bench-u1\":2,\"bench-u2\":1,\"bench-u7\":0},\"nodes\":2,\"partial\":false}";
        assertDoesNotThrow(() -> model.checkOnline(asked, right));
        assertThrows(IllegalStateException.class, () -> model.checkOnline(asked, right.replace("\"bench-u7\":false", "\"bench-u7\":true")));
        assertThrows(IllegalStateException.class, () -> model.checkOnline(asked, right.replace("\"bench-u1\":2", "\"bench-u1\":1")));
        assertThrows(IllegalStateException.class, () -> model.checkOnline(asked, right.replace("\"partial\":false", "\"partial\":true")));
    }

    @Test
    void userGroupsMustBeExactlyTheGroupsOfTheUsersConnections() {
        String right = "{\"uid\":\"bench-u1\",\"groups\":[\"bench-0\",\"bench-1\",\"presence-1\"],\"nodes\":2,\"partial\":false}";
        assertDoesNotThrow(() -> model.checkUserGroups(1, right));
        assertThrows(IllegalStateException.class, () -> model.checkUserGroups(1, right.replace("\"bench-0\",", "")));
        assertThrows(IllegalStateException.class, () -> model.checkUserGroups(1, right.replace("\"presence-1\"", "\"presence-1\",\"x\"")));
        assertDoesNotThrow(() -> model.checkUserGroups(2,
                "{\"uid\":\"bench-u2\",\"groups\":[\"bench-0\",\"presence-0\"],\"nodes\":2,\"partial\":false}"));
    }
}
