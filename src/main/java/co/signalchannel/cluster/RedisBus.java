package co.signalchannel.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's two connections to Redis, through Lettuce: one for commands (publishing, scripts,
 * the membership report), one subscribed to the channels the node's namespaces want.
 *
 * <p>Messages on one channel reach every subscriber in the order Redis took the publishes, and a
 * node's publishes leave in the order they were made: what echo's one order per namespace and
 * relay's order per partner rest on. Both connections reconnect by themselves; commands made
 * while one is down fail at once rather than wait in a queue, so nothing is taken for sent that
 * was not. A lost subscription connection may have missed messages: {@link #onLost} tells the
 * features, which close what depended on them.
 */
final class RedisBus implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisBus.class.getName());
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /**
     * Reports this node (its key lives for the node timeout), lists the nodes whose reports are
     * alive with them, and forgets the others. Returns {id1, report1, id2, report2, ...}.
     */
    private static final String REPORT = """
            local prefix, id = ARGV[1], ARGV[2]
            redis.call('SET', prefix .. 'node:' .. id, ARGV[3], 'PX', ARGV[4])
            redis.call('SADD', prefix .. 'nodes', id)
            local alive = {}
            for _, node in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
              local report = redis.call('GET', prefix .. 'node:' .. node)
              if report then
                table.insert(alive, node)
                table.insert(alive, report)
              else
                redis.call('SREM', prefix .. 'nodes', node)
              end
            end
            return alive
            """;

    private final String prefix;
    private final Duration timeout;
    private final ClientResources resources;
    private final RedisClient client;
    private final Map<String, Consumer<byte[]>> listeners = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> subscribed = new ConcurrentHashMap<>();
    private final Subscriptions subscriptions = new Subscriptions();
    private final Runnable onLost;

    private volatile StatefulRedisConnection<String, byte[]> commands;
    private volatile StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private volatile boolean pubsubUp;
    private volatile boolean commandsUp;
    private volatile boolean closing;

    /**
     * @param uri     Redis, as Lettuce reads a URI (standalone, TLS, Sentinel)
     * @param prefix  what keys and channels start with, ending in ':'
     * @param timeout how long a command may wait for Redis
     * @param onLost  called (on a Lettuce thread) when the subscription connection drops
     */
    RedisBus(String uri, String prefix, Duration timeout, Runnable onLost) {
        this.prefix = prefix;
        this.timeout = timeout;
        this.onLost = onLost;
        // The JDK's resolver: Netty's own would read resolv.conf and ask its name servers itself.
        this.resources = DefaultClientResources.builder()
                .addressResolverGroup(DefaultAddressResolverGroup.INSTANCE)
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .build();
        RedisURI redis = RedisURI.create(uri);
        redis.setTimeout(timeout);
        this.client = RedisClient.create(resources, redis);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                connected(connection);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                disconnected(connection);
            }
        });
        forgetNettyThreadLocals();
    }

    /** Opens both connections if they are not open; throws if Redis cannot be reached. */
    synchronized void connect() {
        try {
            open();
        } finally {
            forgetNettyThreadLocals();
        }
    }

    private void open() {
        if (commands == null) {
            commands = client.connect(CODEC);
            commandsUp = true;
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, byte[]> connection = client.connectPubSub(CODEC);
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    Consumer<byte[]> listener = listeners.get(channel);
                    if (listener != null) {
                        listener.accept(message);
                    }
                }

                @Override
                public void unsubscribed(String channel, long count) {
                    synchronized (RedisBus.this) {
                        subscriptions.unsubscribed(channel);
                    }
                }
            });
            pubsub = connection;
            pubsubUp = true;
        }
    }

    /** Both connections are open (they may still be slow: see the caller's ping). */
    boolean isConnected() {
        return commands != null && pubsub != null && commandsUp && pubsubUp;
    }

    private void connected(RedisChannelHandler<?, ?> connection) {
        if (connection == commands) {
            commandsUp = true;
        } else if (connection == pubsub) {
            pubsubUp = true;
            resubscribe();
        }
    }

    private void disconnected(RedisChannelHandler<?, ?> connection) {
        if (closing) {
            return; // closed by this node, not lost
        }
        if (connection == commands) {
            commandsUp = false;
        } else if (connection == pubsub && pubsubUp) {
            pubsubUp = false;
            LOG.warning("lost the connection to Redis that receives the cluster's messages; reconnecting");
            onLost.run();
        }
    }

    /** Lettuce subscribes again to what it had; make that what is wanted now. */
    private synchronized void resubscribe() {
        Subscriptions.Reconcile reconcile = subscriptions.reconcile();
        if (!reconcile.unsubscribe().isEmpty()) {
            pubsub.async().unsubscribe(reconcile.unsubscribe().toArray(String[]::new));
        }
        if (!reconcile.subscribe().isEmpty()) {
            pubsub.async().subscribe(reconcile.subscribe().toArray(String[]::new));
        }
    }

    /**
     * Counts one more user of {@code channel}, its messages going to {@code listener} (the first
     * user's listener serves them all); the stage completes once Redis confirms the subscription.
     */
    synchronized CompletionStage<Void> subscribe(String channel, Consumer<byte[]> listener) {
        listeners.putIfAbsent(channel, listener);
        if (subscriptions.acquire(channel)) {
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            subscribed.put(channel, confirmed);
            pubsub.async().subscribe(channel).whenComplete((done, failure) -> {
                if (failure != null) {
                    confirmed.completeExceptionally(failure);
                } else {
                    confirmed.complete(null);
                }
            });
            return confirmed;
        }
        return subscribed.getOrDefault(channel, CompletableFuture.completedFuture(null));
    }

    /** Counts one user less; unsubscribes when it was the last. */
    synchronized void unsubscribe(String channel) {
        if (subscriptions.release(channel)) {
            listeners.remove(channel);
            subscribed.remove(channel);
            pubsub.async().unsubscribe(channel).exceptionally(failure -> null); // redone after a reconnect
        }
    }

    /** Channels subscribed for this node's namespaces (and its own). */
    synchronized int channels() {
        return subscriptions.wantedCount();
    }

    CompletionStage<Long> publish(String channel, byte[] message) {
        return commands.async().publish(channel, message);
    }

    /** Runs a Lua script; its answer as Lettuce decodes the reply type. */
    <T> CompletionStage<T> eval(String script, ScriptOutputType type, String[] keys, String... args) {
        byte[][] values = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            values[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return commands.async().eval(script, type, keys, values);
    }

    CompletionStage<String> ping() {
        return commands.async().ping();
    }

    /** Reports this node and returns every live node's report, by node id. */
    CompletionStage<Map<String, String>> report(String nodeId, String report, Duration ttl) {
        CompletionStage<List<Object>> alive = eval(REPORT, ScriptOutputType.MULTI, new String[0],
                prefix, nodeId, report, Long.toString(ttl.toMillis()));
        return alive.thenApply(list -> {
            Map<String, String> reports = new LinkedHashMap<>();
            for (int i = 0; i + 1 < list.size(); i += 2) {
                reports.put(text(list.get(i)), text(list.get(i + 1)));
            }
            return reports;
        });
    }

    static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    String prefix() {
        return prefix;
    }

    /** Not one connection was ever opened (Redis was away at start-up): the caller retries. */
    boolean neverConnected() {
        return commands == null || pubsub == null;
    }

    /** Removes this node's report, so the others find it gone at their next report. */
    CompletionStage<Long> leave(String nodeId) {
        return commands.async().del(prefix + "node:" + nodeId);
    }

    /**
     * Netty keeps caches in a thread-local map on every thread that builds its event loops or
     * connects, this application's class loader's copy of Netty included. On a thread the container
     * owns (the one that deploys the application, say) that map would outlive the application, and
     * its class loader with it: Tomcat reports it as a leak when the application stops. Netty's own
     * threads keep theirs, and end with the client.
     */
    private static void forgetNettyThreadLocals() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            FastThreadLocal.removeAll();
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            if (pubsub != null) {
                pubsub.close();
            }
            if (commands != null) {
                commands.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing the Redis client", e);
        } finally {
            resources.shutdown();
            forgetNettyThreadLocals();
        }
    }
}
