package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.BusMessage;
import java.time.Duration;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounds of users' groups at their defaults, on a real node over the daemon: 100 groups per user
 * ({@code channelpush.max-groups-per-connection}) and 100,000 users with groups
 * ({@code channelpush.max-users-with-groups}), each with the publisher's answer.
 */
class UserLimitsTest {
    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("user-limits");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void aUserGetsAtMostOneHundredGroupsThenA400() throws Exception {
        int max = node.node().config().maxGroupsPerConnection();
        assertEquals(100, max, "the default");
        for (int i = 0; i < max; i++) {
            assertEquals("ok", fx.get(node, "uid=many-groups&add_group=g" + i).getContentAsString());
        }
        PushFixture.await(() -> node.node().users().groupsOf("many-groups").size() == max, "groups never arrived");
        ContentResponse r = fx.get(node, "uid=many-groups&add_group=one-more");
        assertEquals(400, r.getStatus(), r.getContentAsString());
        assertTrue(r.getContentAsString().contains("has 100 groups already (channelpush.max-groups-per-connection)"),
                r.getContentAsString());
        // giving a group the user has is no change, and removing one makes room
        assertEquals("ok", fx.get(node, "uid=many-groups&add_group=g0").getContentAsString());
        assertEquals("ok", fx.get(node, "uid=many-groups&remove_group=g0").getContentAsString());
        PushFixture.await(() -> node.node().users().groupsOf("many-groups").size() == max - 1, "removal never arrived");
        assertEquals("ok", fx.get(node, "uid=many-groups&add_group=one-more").getContentAsString());
        for (int i = 1; i < max; i++) {
            node.node().publishUnacked(new BusMessage.UserGroup("many-groups", "g" + i, false));
        }
        node.node().publishUnacked(new BusMessage.UserGroup("many-groups", "one-more", false));
        PushFixture.await(() -> node.node().users().groupsOf("many-groups").isEmpty(), "removals never arrived");
    }

    @Test
    void oneHundredThousandUsersWithGroupsThenA507() throws Exception {
        int max = node.node().config().maxUsersWithGroups();
        assertEquals(100_000, max, "the default");
        for (int i = 0; i < max; i++) {
            node.node().publishUnacked(new BusMessage.UserGroup("filler-" + i, "g", true));
        }
        PushFixture.await(() -> node.node().users().usersWithGroups() == max, Duration.ofSeconds(60),
                "the node never held " + max + " users with groups: " + node.node().users().usersWithGroups());
        ContentResponse r = fx.get(node, "uid=one-too-many&add_group=g");
        assertEquals(507, r.getStatus(), r.getContentAsString());
        assertTrue(r.getContentAsString().contains("channelpush.max-users-with-groups"), r.getContentAsString());
        // a user already counted may still get more groups
        assertEquals("ok", fx.get(node, "uid=filler-7&add_group=h").getContentAsString());
        // a change past the bound that reaches the node anyway (another publisher) is dropped
        node.node().publishUnacked(new BusMessage.UserGroup("one-too-many", "g", true));
        assertEquals("ok", fx.get(node, "uid=filler-0&remove_group=g").getContentAsString());
        PushFixture.await(() -> node.node().users().usersWithGroups() == max - 1, "removal never arrived");
        assertTrue(node.node().users().groupsOf("one-too-many").isEmpty(), "a change past the bound was applied");
        assertEquals("ok", fx.get(node, "uid=one-too-many&add_group=g").getContentAsString());
        PushFixture.await(() -> node.node().users().usersWithGroups() == max, "the freed place was not taken");
    }
}
