/**
 * Presence across the cluster: which nodes are alive ({@link io.channelpush.push.presence.Membership}, from the
 * heartbeats every node publishes), questions asked of every live node and their answers gathered within a bound
 * ({@link io.channelpush.push.presence.ScatterGather}), and the presence questions and how their answers merge
 * ({@link io.channelpush.push.presence.PresenceQuestion}, {@link io.channelpush.push.presence.PresenceMerge}), and
 * presence events: which groups have them ({@link io.channelpush.push.presence.EventScope}) and the once-per-user
 * join and leave counting from the nodes' announcements ({@link io.channelpush.push.presence.PresenceCounts}).
 */
package io.channelpush.push.presence;
