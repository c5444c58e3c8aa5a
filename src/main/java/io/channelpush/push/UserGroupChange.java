package io.channelpush.push;

/** What becomes of giving a user a group ({@code uid=U&add_group=G}): done, or which bound refused it. */
public enum UserGroupChange {
    /** Given (or the user had it already). */
    DONE,
    /** The user has {@code channelpush.max-groups-per-connection} groups already. */
    TOO_MANY_GROUPS,
    /** {@code channelpush.max-users-with-groups} users have groups already. */
    TOO_MANY_USERS
}
