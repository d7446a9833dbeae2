package co.signalchannel.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A standalone Redis, or the master Sentinel names ({@code redis-sentinel://}): one connection for
 * commands, one subscribed with {@code SUBSCRIBE}. Lettuce reconnects both and subscribes again
 * to what the second had.
 */
final class StandaloneConnections implements RedisConnections {

    private final RedisClient client;
    private volatile StatefulRedisConnection<String, byte[]> commands;
    private volatile StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private volatile boolean commandsUp;
    private volatile boolean pubsubUp;
    private volatile Events events;

    StandaloneConnections(ClientResources resources, String uri, Duration timeout) {
        RedisURI redis = RedisURI.create(uri);
        redis.setTimeout(timeout);
        client = RedisClient.create(resources, redis);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == commands) {
                    commandsUp = true;
                } else if (connection == pubsub) {
                    pubsubUp = true;
                    events.receivingAgain();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection == commands) {
                    commandsUp = false;
                } else if (connection == pubsub && pubsubUp) {
                    pubsubUp = false;
                    events.receivingLost();
                }
            }
        });
    }

    @Override
    public void open(Events events) {
        this.events = events;
        if (commands == null) {
            commands = client.connect(RedisBus.CODEC);
            commandsUp = true;
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, byte[]> connection = client.connectPubSub(RedisBus.CODEC);
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    events.message(channel, message);
                }

                @Override
                public void unsubscribed(String channel, long count) {
                    events.unsubscribed(channel);
                }
            });
            pubsub = connection;
            pubsubUp = true;
        }
    }

    @Override
    public boolean neverOpened() {
        return commands == null || pubsub == null;
    }

    @Override
    public boolean isConnected() {
        return !neverOpened() && commandsUp && pubsubUp;
    }

    @Override
    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands.async();
    }

    @Override
    public String publishCommand() {
        return "PUBLISH";
    }

    @Override
    public CompletionStage<Long> publish(String channel, byte[] message) {
        return commands.async().publish(channel, message);
    }

    @Override
    public CompletionStage<?> subscribe(String... channels) {
        return pubsub.async().subscribe(channels);
    }

    @Override
    public CompletionStage<?> unsubscribe(String... channels) {
        return pubsub.async().unsubscribe(channels);
    }

    @Override
    public CompletionStage<?> ping() {
        return commands.async().ping();
    }

    @Override
    public void close() {
        if (pubsub != null) {
            pubsub.close();
        }
        if (commands != null) {
            commands.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
