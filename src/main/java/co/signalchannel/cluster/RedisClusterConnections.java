package co.signalchannel.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import reactor.core.Disposable;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A Redis Cluster ({@code redis-cluster://host:port,host:port}), through Lettuce's cluster client:
 * each keyed command goes to the master of its key's slot, and the channels are shard channels
 * ({@code SPUBLISH}, {@code SSUBSCRIBE}), each held by the master of its slot. Why sharded: a
 * classic {@code PUBLISH} on Redis Cluster is broadcast to every node of the cluster, so every
 * message would cost every Redis node; a shard channel's messages go through one master, which
 * also keeps the one order per channel that a single Redis gives.
 *
 * <p>Lettuce opens a subscription connection per master that holds a wanted channel, reconnects
 * it and subscribes again to what it had. Any of them dropping, or Redis unsubscribing a channel
 * itself (its slot moved to another master), may have lost messages, and is reported as such;
 * after a topology change every wanted channel is subscribed again where its slot now lives.
 */
final class RedisClusterConnections implements RedisConnections {

    private final RedisClusterClient client;
    private final ClientResources resources;
    /** Connections that dropped and have not come back; the ones Lettuce closed for good leave it. */
    private final Set<RedisChannelHandler<?, ?>> down = ConcurrentHashMap.newKeySet();
    private volatile StatefulRedisClusterConnection<String, byte[]> commands;
    private volatile StatefulRedisClusterPubSubConnection<String, byte[]> pubsub;
    private volatile Events events;
    private Disposable topologyChanges;

    /**
     * @param uri {@code redis-cluster://} or {@code rediss-cluster://}, then what Lettuce's cluster
     *            client reads after {@code redis://}: seed nodes separated by commas
     */
    RedisClusterConnections(ClientResources resources, String uri, Duration timeout) {
        this.resources = resources;
        client = RedisClusterClient.create(resources, lettuceUri(uri));
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClusterClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                // Only a connection that was down is back; a new one subscribes through the bus itself.
                if (down.remove(connection) && connection instanceof StatefulRedisPubSubConnection) {
                    events.receivingAgain();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection.isClosed()) {
                    return; // closed on purpose: by this node, or by Lettuce as no longer part of the cluster
                }
                down.add(connection);
                if (connection instanceof StatefulRedisPubSubConnection && events != null) {
                    events.receivingLost();
                }
            }
        });
    }

    /** Whether {@code signalchannel.cluster.redis} names a Redis Cluster. */
    static boolean names(String uri) {
        return uri.startsWith("redis-cluster://") || uri.startsWith("rediss-cluster://");
    }

    private static String lettuceUri(String uri) {
        return uri.replaceFirst("^(rediss?)-cluster://", "$1://");
    }

    @Override
    public void open(Events events) {
        this.events = events;
        if (commands == null) {
            commands = client.connect(RedisBus.CODEC);
        }
        if (pubsub == null) {
            StatefulRedisClusterPubSubConnection<String, byte[]> connection = client.connectPubSub(RedisBus.CODEC);
            connection.addListener(new RedisClusterPubSubAdapter<>() {
                @Override
                public void smessage(RedisClusterNode node, String channel, byte[] message) {
                    events.message(channel, message);
                }

                @Override
                public void sunsubscribed(RedisClusterNode node, String channel, long count) {
                    events.unsubscribed(channel);
                }
            });
            pubsub = connection;
            topologyChanges = resources.eventBus().get()
                    .filter(ClusterTopologyChangedEvent.class::isInstance)
                    .subscribe(changed -> {
                        connectToEveryMaster(false);
                        events.receivingAgain();
                    });
        }
        connectToEveryMaster(true);
    }

    /**
     * Opens both kinds of connection to every master now: with commands rejected while
     * disconnected, Lettuce also rejects a command whose master it has not connected to yet,
     * where it would otherwise connect on the first command for that master's slots.
     */
    private void connectToEveryMaster(boolean wait) {
        for (RedisClusterNode node : client.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                String host = node.getUri().getHost();
                int port = node.getUri().getPort();
                if (wait) {
                    commands.getConnection(host, port);
                    pubsub.getConnection(host, port);
                } else {
                    commands.getConnectionAsync(host, port);
                    pubsub.getConnectionAsync(host, port);
                }
            }
        }
    }

    @Override
    public boolean neverOpened() {
        return commands == null || pubsub == null;
    }

    @Override
    public boolean isConnected() {
        down.removeIf(RedisChannelHandler::isClosed);
        return !neverOpened() && commands.isOpen() && down.isEmpty();
    }

    @Override
    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands.async();
    }

    @Override
    public String publishCommand() {
        return "SPUBLISH";
    }

    @Override
    public CompletionStage<Long> publish(String channel, byte[] message) {
        return commands.async().spublish(channel, message);
    }

    @Override
    public CompletionStage<?> subscribe(String... channels) {
        return eachAlone(channels, channel -> pubsub.async().ssubscribe(channel));
    }

    @Override
    public CompletionStage<?> unsubscribe(String... channels) {
        return eachAlone(channels, channel -> pubsub.async().sunsubscribe(channel));
    }

    /** One command per channel: the channels of one command must share a slot. */
    private static CompletionStage<?> eachAlone(String[] channels, Function<String, CompletionStage<?>> command) {
        return CompletableFuture.allOf(Arrays.stream(channels)
                .map(channel -> command.apply(channel).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletionStage<?> ping() {
        return commands.async().upstream().commands().ping();
    }

    @Override
    public void close() {
        if (topologyChanges != null) {
            topologyChanges.dispose();
        }
        if (pubsub != null) {
            pubsub.close();
        }
        if (commands != null) {
            commands.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
