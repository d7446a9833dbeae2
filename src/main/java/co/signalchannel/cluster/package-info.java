/**
 * Clustering over Redis: this node's connections to the Redis every node shares, the channels
 * the features publish on and subscribe to, and which nodes are alive.
 *
 * <ul>
 *   <li>{@link co.signalchannel.cluster.ClusterNode} is the bean the features use; with
 *       {@code cluster.redis} unset it says the server runs alone and nothing else here runs.</li>
 *   <li>{@link co.signalchannel.cluster.Envelope} is the one message format between nodes.</li>
 *   <li>{@code RedisBus} holds the subscriptions and the membership script over
 *       {@code RedisConnections}: {@code StandaloneConnections} (a Redis, or Sentinel's master) or
 *       {@code RedisClusterConnections} (a Redis Cluster, with shard channels).</li>
 * </ul>
 *
 * <p>This package knows no feature: echo, relay and scuttlebutt each decide what they publish
 * and keep in Redis (see {@code docs/cluster.md}).
 */
package co.signalchannel.cluster;
