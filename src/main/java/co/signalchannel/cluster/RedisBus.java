package co.signalchannel.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;

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
 * The node's connections to Redis, through Lettuce: commands (publishing, scripts, the membership
 * report) on one side, the channels the node's namespaces want on the other. A standalone Redis
 * or Sentinel's master ({@link StandaloneConnections}) and a Redis Cluster
 * ({@link RedisClusterConnections}) differ only in how they are reached; what is subscribed, and
 * what losing a subscription means, is decided here.
 *
 * <p>Messages on one channel reach every subscriber in the order Redis took the publishes, and a
 * node's publishes leave in the order they were made: what echo's one order per namespace and
 * relay's order per partner rest on. The connections reconnect by themselves; commands made
 * while one is down fail at once rather than wait in a queue, so nothing is taken for sent that
 * was not. A lost subscription may have missed messages: {@link #onLost} tells the features,
 * which close what depended on them.
 *
 * <p>Every key a script touches is passed in its KEYS, and all of them share one hash slot (the
 * {@code {...}} in their names): what Redis Cluster requires, and harmless elsewhere.
 */
final class RedisBus implements AutoCloseable, RedisConnections.Events {

    private static final Logger LOG = Logger.getLogger(RedisBus.class.getName());
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /**
     * KEYS: the reports (a hash, node id to report), the deadlines (a sorted set, node id by the
     * time its report expires). ARGV: this node's id, its report, the time to live (ms).
     * Reports this node, forgets the nodes whose deadline passed, and returns the others:
     * {id1, report1, id2, report2, ...}. Both keys expire when no node reports any more.
     */
    private static final String REPORT = """
            local reports, deadlines = KEYS[1], KEYS[2]
            local id, ttl = ARGV[1], tonumber(ARGV[3])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            redis.call('HSET', reports, id, ARGV[2])
            redis.call('ZADD', deadlines, string.format('%d', now + ttl), id)
            for _, node in ipairs(redis.call('ZRANGEBYSCORE', deadlines, '-inf', string.format('%d', now))) do
              redis.call('HDEL', reports, node)
              redis.call('ZREM', deadlines, node)
            end
            for _, key in ipairs(KEYS) do
              if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
            end
            return redis.call('HGETALL', reports)
            """;

    /** KEYS: as {@link #REPORT}'s. ARGV: the node's id. */
    private static final String LEAVE = """
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            return {}
            """;

    private final String prefix;
    private final ClientResources resources;
    private final RedisConnections redis;
    private final Map<String, Consumer<byte[]>> listeners = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> subscribed = new ConcurrentHashMap<>();
    private final Subscriptions subscriptions = new Subscriptions();
    private final Runnable onLost;
    private volatile boolean closing;

    /**
     * @param uri     Redis, as Lettuce reads a URI (standalone, TLS, Sentinel), or a Redis Cluster
     *                ({@code redis-cluster://host:port,host:port}, {@code rediss-cluster://} with TLS)
     * @param prefix  what keys and channels start with, ending in ':'
     * @param timeout how long a command may wait for Redis
     * @param onLost  called (on a Lettuce thread) when a subscription was lost
     */
    RedisBus(String uri, String prefix, Duration timeout, Runnable onLost) {
        this.prefix = prefix;
        this.onLost = onLost;
        // The JDK's resolver: Netty's own would read resolv.conf and ask its name servers itself.
        this.resources = DefaultClientResources.builder()
                .addressResolverGroup(DefaultAddressResolverGroup.INSTANCE)
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .build();
        this.redis = RedisClusterConnections.names(uri)
                ? new RedisClusterConnections(resources, uri, timeout)
                : new StandaloneConnections(resources, uri, timeout);
        forgetNettyThreadLocals();
    }

    /** Opens the connections if they are not open; throws if Redis cannot be reached. */
    synchronized void connect() {
        try {
            redis.open(this);
        } finally {
            forgetNettyThreadLocals();
        }
    }

    @Override
    public void message(String channel, byte[] message) {
        Consumer<byte[]> listener = listeners.get(channel);
        if (listener != null) {
            listener.accept(message);
        }
    }

    @Override
    public void unsubscribed(String channel) {
        boolean dropped;
        synchronized (this) {
            dropped = subscriptions.unsubscribed(channel);
            if (dropped) {
                redis.subscribe(channel); // where its slot lives now
            }
        }
        if (dropped && !closing) {
            LOG.warning("Redis unsubscribed this node from " + channel + " (its slot moved); subscribing again");
            onLost.run();
        }
    }

    @Override
    public void receivingAgain() {
        resubscribe();
    }

    @Override
    public void receivingLost() {
        if (closing) {
            return; // closed by this node, not lost
        }
        LOG.warning("lost a connection to Redis that receives the cluster's messages; reconnecting");
        onLost.run();
    }

    /** Every connection is open (they may still be slow: see the caller's ping). */
    boolean isConnected() {
        return redis.isConnected();
    }

    /** Lettuce subscribes again to what it had; make that what is wanted now. */
    private synchronized void resubscribe() {
        Subscriptions.Reconcile reconcile = subscriptions.reconcile();
        for (String channel : reconcile.unsubscribe()) {
            unsubscribeFromRedis(channel);
        }
        if (!reconcile.subscribe().isEmpty()) {
            redis.subscribe(reconcile.subscribe().toArray(String[]::new));
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
            redis.subscribe(channel).whenComplete((done, failure) -> {
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
            unsubscribeFromRedis(channel);
        }
    }

    private void unsubscribeFromRedis(String channel) {
        redis.unsubscribe(channel).whenComplete((done, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    subscriptions.unsubscribeFailed(channel); // redone after a reconnect
                }
            }
        });
    }

    /** Channels subscribed for this node's namespaces (and its own). */
    synchronized int channels() {
        return subscriptions.wantedCount();
    }

    CompletionStage<Long> publish(String channel, byte[] message) {
        return redis.publish(channel, message);
    }

    /** The command a script publishes with (see {@link RedisConnections#publishCommand}). */
    String publishCommand() {
        return redis.publishCommand();
    }

    /** Runs a Lua script; its answer as Lettuce decodes the reply type. */
    <T> CompletionStage<T> eval(String script, ScriptOutputType type, String[] keys, String... args) {
        return redis.commands().eval(script, type, keys, bytes(args));
    }

    CompletionStage<Long> addToSet(String key, String... members) {
        return redis.commands().sadd(key, bytes(members));
    }

    CompletionStage<Long> removeFromSet(String key, String... members) {
        return redis.commands().srem(key, bytes(members));
    }

    CompletionStage<List<String>> members(String key) {
        return redis.commands().smembers(key).thenApply(members -> members.stream().map(RedisBus::text).toList());
    }

    CompletionStage<Long> delete(String key) {
        return redis.commands().del(key);
    }

    private static byte[][] bytes(String[] texts) {
        byte[][] values = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            values[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        return values;
    }

    CompletionStage<?> ping() {
        return redis.ping();
    }

    /** Reports this node and returns every live node's report, by node id. */
    CompletionStage<Map<String, String>> report(String nodeId, String report, Duration ttl) {
        CompletionStage<List<Object>> alive = eval(REPORT, ScriptOutputType.MULTI, membershipKeys(),
                nodeId, report, Long.toString(ttl.toMillis()));
        return alive.thenApply(list -> {
            Map<String, String> reports = new LinkedHashMap<>();
            for (int i = 0; i + 1 < list.size(); i += 2) {
                reports.put(text(list.get(i)), text(list.get(i + 1)));
            }
            return reports;
        });
    }

    /** Removes this node's report, so the others find it gone at their next report. */
    CompletionStage<Object> leave(String nodeId) {
        return eval(LEAVE, ScriptOutputType.MULTI, membershipKeys(), nodeId);
    }

    /** The membership's two keys, in one slot. */
    private String[] membershipKeys() {
        return new String[] {prefix + "{nodes}:reports", prefix + "{nodes}:deadlines"};
    }

    static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    String prefix() {
        return prefix;
    }

    /** Not every connection was ever opened (Redis was away at start-up): the caller retries. */
    boolean neverConnected() {
        return redis.neverOpened();
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
            redis.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing the Redis client", e);
        } finally {
            resources.shutdown();
            forgetNettyThreadLocals();
        }
    }
}
