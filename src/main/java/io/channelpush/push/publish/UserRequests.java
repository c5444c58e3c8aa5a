package io.channelpush.push.publish;

import static io.channelpush.push.publish.PublishAnswers.now;

import io.channelpush.push.PushConfig;
import io.channelpush.push.PushNode;
import io.channelpush.push.UserGroupChange;
import io.channelpush.push.auth.UserIds;
import io.channelpush.push.bus.BusMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The publisher's requests about users, once {@link Publishing} has authenticated the request and checked its
 * parameter names: {@code to_uid=U&content=X}, {@code uid=U&add_group=G} or {@code uid=U&remove_group=G}, and
 * {@code bind_uid=U} or {@code unbind_uid=U} with {@code to_worker_id=W&to_connection_id=C}. Each takes exactly its
 * own parameters (400 naming the others). {@code ok} means the bus took the change or the message: the node holding
 * a connection applies it when it arrives, and cannot answer this request. Stateless.
 */
final class UserRequests {
    private static final Set<String> TO_UID = Set.of("to_uid", "content");
    private static final Set<String> UID_GROUP = Set.of("uid", "add_group", "remove_group");
    private static final Set<String> BIND = Set.of("bind_uid", "unbind_uid", "to_worker_id", "to_connection_id");

    private UserRequests() {
    }

    /** Whether the request names a user in any way (then it is routed here). */
    static boolean isUserRequest(Map<String, List<String>> params) {
        return params.containsKey("to_uid") || params.containsKey("uid") || params.containsKey("add_group")
                || params.containsKey("remove_group") || params.containsKey("bind_uid")
                || params.containsKey("unbind_uid");
    }

    /** @throws io.channelpush.push.bus.BusUnavailableException when the bus cannot take it (503) */
    /** @param report answer a {@code to_uid} push with its publish report */
    static CompletableFuture<Publishing.Answer> route(PushNode node, PublishAnswers answers,
                                                     Map<String, List<String>> params, boolean report) {
        if (params.containsKey("bind_uid") || params.containsKey("unbind_uid")) {
            return bind(node, answers, params);
        }
        if (params.containsKey("to_uid")) {
            return toUid(node, answers, params, report);
        }
        return userGroup(node, answers, params);
    }

    private static CompletableFuture<Publishing.Answer> toUid(PushNode node, PublishAnswers answers,
                                                              Map<String, List<String>> params, boolean report) {
        Publishing.Answer refused = only(params, TO_UID, "to_uid");
        if (refused != null) {
            return now(refused);
        }
        String uid = Publishing.one(params, "to_uid");
        String content = Publishing.one(params, "content");
        if (!UserIds.isValid(uid)) {
            return now(badUid("to_uid"));
        }
        if (content == null || content.isEmpty()) {
            return now(new Publishing.Answer(400, "content is missing or empty"));
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > node.config().maxContentBytes()) {
            return now(new Publishing.Answer(413, "content is larger than " + node.config().maxContentBytes() + " bytes"));
        }
        if (report) {
            return now(answers.reported(new BusMessage.ToUser(uid, content)));
        }
        return answers.acked(new BusMessage.ToUser(uid, content));
    }

    private static CompletableFuture<Publishing.Answer> userGroup(PushNode node, PublishAnswers answers,
                                                                  Map<String, List<String>> params) {
        Publishing.Answer refused = only(params, UID_GROUP, params.containsKey("uid") ? "uid"
                : params.containsKey("add_group") ? "add_group" : "remove_group");
        if (refused != null) {
            return now(refused);
        }
        String uid = Publishing.one(params, "uid");
        String add = Publishing.one(params, "add_group");
        String remove = Publishing.one(params, "remove_group");
        if (uid == null) {
            return now(new Publishing.Answer(400, (add != null ? "add_group" : "remove_group")
                    + " needs uid (uid=U&add_group=G gives user U a group); clients join groups over their WebSocket"));
        }
        if (!UserIds.isValid(uid)) {
            return now(badUid("uid"));
        }
        if ((add == null) == (remove == null)) {
            return now(new Publishing.Answer(400, "uid takes add_group or remove_group, one of them"));
        }
        String group = add != null ? add : remove;
        int max = node.config().maxGroupIdLength();
        if (group.isEmpty() || group.length() > max) {
            return now(new Publishing.Answer(400, "the group id must be 1 to " + max + " characters"));
        }
        if (add != null) {
            UserGroupChange c = node.checkUserGroup(uid, group);
            if (c == UserGroupChange.TOO_MANY_GROUPS) {
                return now(new Publishing.Answer(400, "user " + uid + " has " + node.config().maxGroupsPerConnection()
                        + " groups already (" + PushConfig.MAX_GROUPS_PER_CONNECTION + "); remove one first"));
            }
            if (c == UserGroupChange.TOO_MANY_USERS) {
                return now(new Publishing.Answer(507, node.config().maxUsersWithGroups() + " users have groups already ("
                        + PushConfig.MAX_USERS_WITH_GROUPS + "); remove groups from users first"));
            }
        }
        return answers.acked(new BusMessage.UserGroup(uid, group, add != null));
    }

    private static CompletableFuture<Publishing.Answer> bind(PushNode node, PublishAnswers answers,
                                                             Map<String, List<String>> params) {
        Publishing.Answer refused = only(params, BIND, params.containsKey("bind_uid") ? "bind_uid" : "unbind_uid");
        if (refused != null) {
            return now(refused);
        }
        String bindUid = Publishing.one(params, "bind_uid");
        String unbindUid = Publishing.one(params, "unbind_uid");
        if (bindUid != null && unbindUid != null) {
            return now(new Publishing.Answer(400, "give bind_uid or unbind_uid, not both"));
        }
        String uid = bindUid != null ? bindUid : unbindUid;
        String name = bindUid != null ? "bind_uid" : "unbind_uid";
        if (!UserIds.isValid(uid)) {
            return now(badUid(name));
        }
        String worker = Publishing.one(params, "to_worker_id");
        String connection = Publishing.one(params, "to_connection_id");
        if (worker == null || connection == null) {
            return now(new Publishing.Answer(400, name + " needs to_worker_id and to_connection_id (the connection's "
                    + "welcome line names them)"));
        }
        long id = Publishing.connectionId(connection);
        if (id <= 0 || !PushConfig.isValidWorkerId(worker)) {
            return now(new Publishing.Answer(400, "to_connection_id must be a positive whole number and to_worker_id "
                    + PushConfig.WORKER_ID_RULE));
        }
        if (node.connectionsCarryTokens()) {
            return now(new Publishing.Answer(409, "connections carry their token's user id ("
                    + PushConfig.CONNECTION_KEYS + " is set); " + name + " cannot change it"));
        }
        return answers.acked(new BusMessage.BindUid(worker, id, uid, bindUid != null));
    }

    private static Publishing.Answer badUid(String name) {
        return new Publishing.Answer(400, name + " must be " + UserIds.RULE);
    }

    /** 400 naming the parameters {@code what} does not take, or null. */
    private static Publishing.Answer only(Map<String, List<String>> params, Set<String> allowed, String what) {
        List<String> others = params.keySet().stream().filter(n -> !allowed.contains(n)).sorted().toList();
        if (others.isEmpty()) {
            return null;
        }
        return new Publishing.Answer(400, what + " does not go with " + String.join(", ", others) + "; it takes "
                + String.join(", ", allowed.stream().sorted().toList()) + " only");
    }
}
