package co.signalchannel.cluster;

import co.signalchannel.config.Configuration;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.config.TextSetting;
import io.lettuce.core.ScriptOutputType;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This server's place in a cluster of nodes sharing one Redis ({@code cluster.redis}), or, with
 * that unset, the news that it runs alone and nothing here is used.
 *
 * <p>What it gives the features: channels to publish to and subscribe to, Lua scripts for the
 * state they keep in Redis, which other nodes are alive (each node reports itself every third of
 * {@code cluster.node-timeout-ms}; one whose report expired is lost), and two alarms: Redis lost
 * (the subscription connection dropped, or Redis did not answer within
 * {@code cluster.redis-timeout-ms}: messages may have been missed) and a node lost.
 *
 * <p>Redis counts as available for new sessions only while it answers the node's pings (every
 * {@value #PING_MS} ms) within {@value #ADMIT_WITHIN_MS} ms.
 */
@ApplicationScoped
public class ClusterNode {

    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());
    static final long PING_MS = 250;
    /** Long enough that a node starved of CPU, slow to read Redis' answer, does not refuse sessions for it. */
    static final long ADMIT_WITHIN_MS = 2_000;

    @Inject
    Configuration configuration;

    private RedisBus bus;
    private String nodeId = "";
    private Duration nodeTimeout;
    private Duration redisTimeout;
    private ScheduledExecutorService timer;
    /** Guarded by its own lock: replaced once, in init. */
    private Membership membership = new Membership(Setting.CLUSTER_NODE_TIMEOUT_MS.defaultValue());
    private final Object membershipLock = new Object();
    private final List<Runnable> redisLostListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> nodeLostListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> stoppingListeners = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;
    private final AtomicBoolean lostReported = new AtomicBoolean();
    private volatile Supplier<String> reporter = () -> "{}";
    private volatile long oldestUnansweredPing; // 0: none
    private volatile boolean pinging;
    private long lastConnectAttempt;

    @PostConstruct
    void init() {
        Settings settings = configuration.settings();
        String redis = settings.text(TextSetting.CLUSTER_REDIS);
        if (redis.isEmpty()) {
            return;
        }
        String configured = settings.text(TextSetting.CLUSTER_NODE_ID);
        nodeId = configured.isEmpty() ? generatedNodeId() : configured;
        if (!nodeId.matches("[^/\\s]+")) {
            // Relay parties are addressed as node/session; scuttlebutt announcements are space-separated.
            throw new IllegalArgumentException(TextSetting.CLUSTER_NODE_ID.propertyName() + " is \"" + nodeId
                    + "\"; it must not contain '/' or spaces");
        }
        nodeTimeout = settings.duration(Setting.CLUSTER_NODE_TIMEOUT_MS);
        synchronized (membershipLock) {
            membership = new Membership(nodeTimeout.toMillis());
        }
        redisTimeout = settings.duration(Setting.CLUSTER_REDIS_TIMEOUT_MS);
        bus = new RedisBus(redis, settings.text(TextSetting.CLUSTER_PREFIX) + ":", redisTimeout, this::redisLost);
        timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "signal-channel-cluster");
            thread.setDaemon(true);
            return thread;
        });
        tryConnect();
        timer.scheduleWithFixedDelay(this::checkRedis, PING_MS, PING_MS, TimeUnit.MILLISECONDS);
        long every = Math.max(100, nodeTimeout.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::report, 0, every, TimeUnit.MILLISECONDS);
        LOG.info("cluster node " + nodeId + " on Redis " + withoutPassword(redis));
    }

    private static String generatedNodeId() {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return "node-" + HexFormat.of().formatHex(random);
    }

    /** Whether this server is a node of a cluster (else every other method is unused). */
    public boolean enabled() {
        return bus != null;
    }

    public String nodeId() {
        return nodeId;
    }

    /** The cluster's name for a channel or key: the prefix, then the parts joined by ':'. */
    public String name(String... parts) {
        return bus.prefix() + String.join(":", parts);
    }

    /**
     * A part of a name that puts every key and channel holding it in one Redis Cluster hash slot,
     * as a script's keys (and the shard channel it publishes on) must be: {@code {...}} around the
     * identity's parts, each preceded by its length. Names that share the text up to the tag's end
     * share the slot even when a part holds a brace (Redis hashes up to the first '}'), and the
     * length before each part keeps the tag from ever being empty, which would hash the whole name.
     */
    public static String hashTag(String... identity) {
        StringBuilder tag = new StringBuilder("{");
        for (String part : identity) {
            tag.append(part.length()).append(':').append(part);
        }
        return tag.append('}').toString();
    }

    /**
     * The command a script publishes with on the cluster's channels ({@code SPUBLISH} on Redis
     * Cluster, where the channel must be in the slot of the script's keys; {@code PUBLISH} elsewhere).
     */
    public String publishCommand() {
        return bus.publishCommand();
    }

    /** Whether new sessions may be admitted: Redis is connected and answering. */
    public boolean available() {
        if (!enabled()) {
            return true;
        }
        long unanswered = oldestUnansweredPing;
        return bus.isConnected() && (unanswered == 0 || System.currentTimeMillis() - unanswered < ADMIT_WITHIN_MS);
    }

    /** Called when Redis was lost: every session that depended on it must be closed (1013). */
    public void onRedisLost(Runnable listener) {
        redisLostListeners.add(listener);
    }

    /** Called with a node's id once it was found dead (its report expired). */
    public void onNodeLost(Consumer<String> listener) {
        nodeLostListeners.add(listener);
    }

    /**
     * Called when this node stops, while Redis is still connected: sessions closed then can still
     * tell their partners on other nodes, and their clients learn it is the node going away
     * (1001), not Redis lost.
     */
    public void onStopping(Runnable listener) {
        stoppingListeners.add(listener);
    }

    /** What this node reports of itself to the others (JSON, read at each report). */
    public void reportWith(Supplier<String> report) {
        reporter = report;
    }

    /** The nodes alive at the last report, this one included, each with its report (JSON). */
    public Map<String, String> nodes() {
        synchronized (membershipLock) {
            return membership.alive();
        }
    }

    /**
     * Subscribes to {@code channel} for one user, waiting until Redis confirms it, so that
     * everything published on it from now on reaches {@code listener}, in order, on one thread.
     * Close the returned subscription when the user is done.
     */
    public Subscription subscribe(String channel, Consumer<byte[]> listener) throws ClusterUnavailableException {
        requireAvailable();
        CompletionStage<Void> confirmed = bus.subscribe(channel, listener);
        AtomicBoolean closed = new AtomicBoolean();
        Subscription subscription = () -> {
            if (closed.compareAndSet(false, true)) {
                bus.unsubscribe(channel);
            }
        };
        try {
            await(confirmed);
        } catch (ClusterUnavailableException e) {
            subscription.close();
            throw e;
        }
        return subscription;
    }

    /** One user's hold on a channel; closing it more than once is harmless. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Publishes without waiting; the stage fails if Redis did not take the message. */
    public CompletionStage<Long> publish(String channel, byte[] message) {
        if (!bus.isConnected()) {
            return CompletableFuture.failedFuture(new ClusterUnavailableException("Redis is not connected"));
        }
        return bus.publish(channel, message);
    }

    /** Runs a Lua script and waits for its answer (a list of replies, bytes as strings). */
    public List<String> script(String lua, String[] keys, String... args) throws ClusterUnavailableException {
        requireAvailable();
        CompletionStage<List<Object>> reply = bus.eval(lua, ScriptOutputType.MULTI, keys, args);
        return await(reply).stream().map(RedisBus::text).toList();
    }

    /** Runs a Lua script without waiting; the stage fails if Redis did not run it. */
    public CompletionStage<List<String>> scriptAsync(String lua, String[] keys, String... args) {
        if (!bus.isConnected()) {
            return CompletableFuture.failedFuture(new ClusterUnavailableException("Redis is not connected"));
        }
        CompletionStage<List<Object>> reply = bus.eval(lua, ScriptOutputType.MULTI, keys, args);
        return reply.thenApply(list -> list.stream().map(RedisBus::text).toList());
    }

    /** Adds to a set without waiting (see {@link #confirm}); the stage fails if Redis did not. */
    public CompletionStage<Long> addToSet(String key, String... members) {
        if (!bus.isConnected()) {
            return CompletableFuture.failedFuture(new ClusterUnavailableException("Redis is not connected"));
        }
        return bus.addToSet(key, members);
    }

    /** Removes from a set without waiting, for clean-ups whose failure only leaves members behind. */
    public void removeFromSetLater(String key, String... members) {
        if (bus.isConnected()) {
            later(bus.removeFromSet(key, members));
        }
    }

    /** The members of a set, without waiting. */
    public CompletionStage<List<String>> members(String key) {
        if (!bus.isConnected()) {
            return CompletableFuture.failedFuture(new ClusterUnavailableException("Redis is not connected"));
        }
        return bus.members(key);
    }

    /** Deletes a key without waiting, for clean-ups. */
    public void deleteLater(String key) {
        if (bus.isConnected()) {
            later(bus.delete(key));
        }
    }

    /** Waits for a command sent earlier without waiting, as long as a script may take. */
    public <T> T confirm(CompletionStage<T> sent) throws ClusterUnavailableException {
        return await(sent);
    }

    /** Runs a Lua script without waiting, for clean-ups whose failure only leaves keys to expire. */
    public void scriptLater(String lua, String[] keys, String... args) {
        if (bus.isConnected()) {
            later(bus.eval(lua, ScriptOutputType.MULTI, keys, args));
        }
    }

    private static void later(CompletionStage<?> cleanUp) {
        cleanUp.whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.log(Level.FINE, "a clean-up in Redis failed", failure);
            }
        });
    }

    private void requireAvailable() throws ClusterUnavailableException {
        if (!available()) {
            throw new ClusterUnavailableException("the cluster's Redis cannot be reached; try again later");
        }
    }

    private <T> T await(CompletionStage<T> stage) throws ClusterUnavailableException {
        try {
            return stage.toCompletableFuture().get(redisTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ClusterUnavailableException("the cluster's Redis did not answer within " + redisTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new ClusterUnavailableException("the cluster's Redis failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted while waiting for the cluster's Redis");
        }
    }

    private void tryConnect() {
        lastConnectAttempt = System.currentTimeMillis();
        try {
            bus.connect();
        } catch (RuntimeException e) {
            LOG.warning("cannot reach the cluster's Redis yet (" + e.getMessage() + "); new sessions are refused until it answers");
        }
    }

    /** Pings Redis; reports it lost when a ping stays unanswered past the Redis timeout. */
    private void checkRedis() {
        if (!bus.isConnected()) {
            if (bus.neverConnected() && System.currentTimeMillis() - lastConnectAttempt > 2_000) {
                tryConnect();
            }
            return;
        }
        long unanswered = oldestUnansweredPing;
        if (unanswered != 0 && System.currentTimeMillis() - unanswered > redisTimeout.toMillis()) {
            redisLost();
        }
        if (pinging) {
            return;
        }
        pinging = true;
        long sentAt = System.currentTimeMillis();
        if (oldestUnansweredPing == 0) {
            oldestUnansweredPing = sentAt;
        }
        bus.ping().whenComplete((pong, failure) -> {
            pinging = false;
            if (failure == null) {
                oldestUnansweredPing = 0;
                if (lostReported.get() && bus.isConnected()) {
                    lostReported.set(false);
                    LOG.info("the cluster's Redis answers again");
                    synchronized (membershipLock) {
                        membership.redisBack(System.currentTimeMillis());
                    }
                    timer.execute(this::report); // back in the member list at once, not a third of the timeout later
                }
            }
        });
    }

    private void redisLost() {
        if (!stopping && lostReported.compareAndSet(false, true)) {
            synchronized (membershipLock) {
                membership.redisLost(System.currentTimeMillis());
            }
            LOG.warning("lost the cluster's Redis: closing every session so its client reconnects (1013)");
            for (Runnable listener : redisLostListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a feature failed to close its sessions after Redis was lost", e);
                }
            }
        }
    }

    private void report() {
        if (!bus.isConnected()) {
            return;
        }
        String report;
        try {
            report = reporter.get();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot build this node's report", e);
            return;
        }
        bus.report(nodeId, report, nodeTimeout).whenComplete((alive, failure) -> {
            if (failure != null) {
                LOG.log(Level.FINE, "the membership report failed", failure);
                return;
            }
            List<String> lost;
            synchronized (membershipLock) {
                lost = membership.update(alive, System.currentTimeMillis());
            }
            for (String node : lost) {
                if (node.equals(nodeId)) {
                    continue; // our own report expired while Redis was away: we are back
                }
                LOG.warning("cluster node " + node + " was lost (not heard from for " + nodeTimeout.toMillis() + " ms)");
                for (Consumer<String> listener : nodeLostListeners) {
                    try {
                        listener.accept(node);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "a feature failed to handle the loss of node " + node, e);
                    }
                }
            }
        });
    }

    /** The URI as logged: a password in it replaced by {@code ***}. */
    static String withoutPassword(String uri) {
        return uri.replaceFirst("(://)[^@/]*@", "$1***@");
    }

    @PreDestroy
    void shutdown() {
        if (bus == null) {
            return;
        }
        stopping = true;
        timer.shutdownNow();
        for (Runnable listener : stoppingListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a feature failed to close its sessions as the node stopped", e);
            }
        }
        if (bus.isConnected()) {
            // Leave at once rather than after the node timeout. A bounded get, not completeOnTimeout:
            // that starts the JDK's shared delay thread, which would keep this application's class
            // loader as its context class loader after the undeployment (Tomcat reports such a thread as a leak).
            try {
                bus.leave(nodeId).toCompletableFuture().get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(Level.FINE, "could not remove this node's report; it expires by itself", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        bus.close();
    }
}
