/**
 * Presence across the cluster: which nodes are alive ({@link io.channelpush.push.presence.Membership}, from the
 * heartbeats every node publishes), questions asked of every live node and their answers gathered within a bound
 * ({@link io.channelpush.push.presence.ScatterGather}), and the presence questions and how their answers merge
 * ({@link io.channelpush.push.presence.PresenceQuestion}, {@link io.channelpush.push.presence.PresenceMerge}).
 */
package io.channelpush.push.presence;
