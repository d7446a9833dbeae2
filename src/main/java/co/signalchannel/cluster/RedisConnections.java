package co.signalchannel.cluster;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.concurrent.CompletionStage;

/**
 * The node's connections to Redis as one kind of deployment serves them: a standalone server (or
 * the master Sentinel names), or a Redis Cluster. {@link RedisBus} holds what is the same for
 * both: what is subscribed, what a lost subscription means, the scripts.
 *
 * <p>Either kind keeps the two properties the features rest on: the messages of one channel reach
 * every subscriber in the order Redis took the publishes, and the publishes of one node to one
 * channel leave in the order they were made.
 */
interface RedisConnections extends AutoCloseable {

    /** What the connections tell the bus, on Lettuce's threads. */
    interface Events {

        void message(String channel, byte[] message);

        /** Redis unsubscribed a channel: asked to, or on its own (a Redis Cluster slot moved). */
        void unsubscribed(String channel);

        /** A connection that receives messages was connected again: subscribe anew to what is wanted. */
        void receivingAgain();

        /** A connection that receives messages dropped: messages may have been missed. */
        void receivingLost();
    }

    /** Opens the connections not open yet; throws if Redis cannot be reached. */
    void open(Events events);

    /** Not every connection was ever opened (Redis was away at start-up): the caller retries. */
    boolean neverOpened();

    /** Every connection is up (it may still be slow: see the caller's ping). */
    boolean isConnected();

    /** Keyed commands, each sent to the Redis that holds its first key. */
    RedisClusterAsyncCommands<String, byte[]> commands();

    /**
     * The command that publishes on the cluster's channels, for scripts that publish: a script on
     * Redis Cluster may publish only on a shard channel of its keys' slot.
     */
    String publishCommand();

    CompletionStage<Long> publish(String channel, byte[] message);

    /** Completes once Redis confirmed every channel. */
    CompletionStage<?> subscribe(String... channels);

    CompletionStage<?> unsubscribe(String... channels);

    /** Completes once every Redis that holds the cluster's data answered. */
    CompletionStage<?> ping();

    /** Closes the connections; what drops then is not reported as lost. */
    @Override
    void close();
}
