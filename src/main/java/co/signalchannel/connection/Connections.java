package co.signalchannel.connection;

import co.signalchannel.access.AccessGate;
import co.signalchannel.access.TokenRefusedException;
import co.signalchannel.access.Visitor;
import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.config.Configuration;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.websocket.Session;

import java.security.Principal;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every open session of every endpoint: admission against the server-wide limit, heartbeats that
 * keep sessions alive through proxies and find dead ones, and the timers the features need.
 *
 * <p>Threads are the bean's own (daemon) threads rather than container-managed ones so the same
 * WAR runs on Tomcat, which has no managed executors.
 */
@ApplicationScoped
public class Connections {

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());

    @Inject
    Configuration configuration;

    @Inject
    ClusterNode cluster;

    @Inject
    AccessGate access;

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    /** Sessions the container has not yet reported closed; a drain waits for their close handshakes. */
    private final Set<Object> attached = ConcurrentHashMap.newKeySet();
    private final Admission admission = new Admission();
    private final AtomicInteger nextId = new AtomicInteger();
    private final ScheduledExecutorService timers = new ScheduledThreadPoolExecutor(1, daemon("signal-channel-timer"));
    private final TyrusIdleTimer tyrusIdleTimer = new TyrusIdleTimer(daemon("signal-channel-tyrus-idle"));
    // Closes that arrive after shutdown are dropped (the policy discards once shut down).
    private final ExecutorService closer = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(), daemon("signal-channel-closer"), new ThreadPoolExecutor.CallerRunsPolicy());
    private volatile ScheduledFuture<?> heartbeat;
    private volatile String sessionImplementation;

    /**
     * In a cluster, losing Redis may have lost messages for every session: each is closed so its
     * client reconnects (to this node once Redis is back, or to another).
     */
    @PostConstruct
    void init() {
        cluster.onRedisLost(() -> abortAll(new Closure(CloseCodes.TRY_AGAIN_LATER,
                "this node lost the cluster's Redis; reconnect")));
        cluster.onStopping(() -> {
            abortAll(SHUTTING_DOWN);
            awaitAllEnded(Duration.ofSeconds(2)); // their end actions tell partners on other nodes
        });
    }

    private void awaitAllEnded(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final Closure SHUTTING_DOWN = new Closure(CloseCodes.GOING_AWAY, "server shutting down");

    /**
     * The endpoints are registered and the beans built once the application is initialized:
     * from then on sessions are admitted.
     */
    void onStart(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        if (admission.advance(Admission.Phase.OPEN)) {
            LOG.fine("admitting sessions");
        }
    }

    /** Where the server is in its life: starting, admitting sessions, draining or stopped. */
    public Admission.Phase phase() {
        return admission.phase();
    }

    /** Whether a new session would be admitted now (it may still be refused by a limit). */
    public boolean admitting() {
        return admission.admits();
    }

    /** Whether the bean's own threads (timers, heartbeat) still run. */
    public boolean timersRunning() {
        ScheduledFuture<?> beat = heartbeat;
        return !timers.isShutdown() && !closer.isShutdown() && (beat == null || !beat.isDone());
    }

    /**
     * Stops the server gracefully, at most once (a later call returns at once): no session is
     * admitted from now on; every open session is sent what its outbox holds, then closed with
     * 1001 "server shutting down"; those whose outbox is not flushed within {@code drain.timeout-ms}
     * (a client that stopped reading) lose what is left and are closed with 1001 then. Returns once
     * every session's close handshake ended, or shortly after the timeout.
     *
     * <p>Must run while the container can still write to its sessions, that is before it stops
     * its WebSocket implementation ({@link co.signalchannel.health.HealthServlet#destroy} says when
     * that is on each server), and, in a cluster, while Redis is connected, so that the sessions'
     * end actions still reach partners on other nodes.
     */
    public void drain() {
        if (!admission.advance(Admission.Phase.DRAINING)) {
            return;
        }
        Duration timeout = settings().duration(Setting.DRAIN_TIMEOUT_MS);
        int sessions = open.size();
        LOG.info(() -> "draining: admitting no more sessions; flushing and closing " + sessions
                + " sessions with 1001 within " + timeout.toMillis() + " ms");
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        for (Connection connection : open) {
            connection.close(SHUTTING_DOWN);
        }
        awaitDetached(deadline);
        int late = open.size();
        if (late > 0) {
            LOG.info(() -> late + " sessions had not taken what was queued for them within " + timeout.toMillis()
                    + " ms (drain.timeout-ms); closing them with 1001 without it");
            abortAll(SHUTTING_DOWN);
        }
        // the close frames just sent, and those of clients that answer slowly: a short, bounded wait
        awaitDetached(Math.max(deadline, System.nanoTime()) + LAST_CLOSES.toNanos());
        admission.advance(Admission.Phase.STOPPED);
        LOG.info(() -> "drained in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms; "
                + attached.size() + " sessions had not answered their close");
    }

    private static final Duration LAST_CLOSES = Duration.ofSeconds(1);

    /** Waits until every session has ended and the container reported each closed, or the deadline. */
    private void awaitDetached(long deadline) {
        while ((!open.isEmpty() || !attached.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void abortAll(Closure closure) {
        for (Connection connection : open) {
            connection.abort(closure);
        }
    }

    public Settings settings() {
        return configuration.settings();
    }

    /**
     * Delivery lanes of a large echo namespace: two per core, so that a thread that pauses in the
     * middle of a lane (preempted, or waiting for a socket's lock) leaves work for the others.
     */
    public int deliveryLanes() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * The fewest sessions of a large namespace's broadcast worth handing to another thread: half
     * of {@link Setting#FAN_OUT_MIN_SESSIONS}, so a namespace just over it is shared by two.
     */
    public int fanOutMinSlice() {
        return Math.max(1, settings().getInt(Setting.FAN_OUT_MIN_SESSIONS) / 2);
    }

    /** How a feature takes a newly opened session in: joins it to a namespace, returns its receiver. */
    @FunctionalInterface
    public interface Opening {
        Receiver open(Connection connection) throws ProtocolViolation;
    }

    /**
     * Takes a newly opened WebSocket session in: admits it against the server-wide limit and lets
     * the feature open it. A session refused by either is closed with the refusal's code and reason.
     *
     * @return the session's connection, open or (when refused) already closing
     */
    public Connection open(Session session, Opening opening) {
        return open(session, 0, opening);
    }

    /**
     * As {@link #open(Session, Opening)}, for a feature that must be able to queue at least
     * {@code minOutboxBytes} at once (a scuttlebutt history) whatever the configured outbox bound.
     */
    public Connection open(Session session, long minOutboxBytes, Opening opening) {
        Settings settings = settings();
        startHeartbeat(settings);
        sessionImplementation = session.getClass().getName();
        long maxMessageBytes = settings.get(Setting.MESSAGE_MAX_BYTES);
        // Let the container refuse oversized messages before buffering them whole.
        int containerBuffer = (int) Math.min(Integer.MAX_VALUE, maxMessageBytes);
        session.setMaxTextMessageBufferSize(containerBuffer);
        session.setMaxBinaryMessageBufferSize(containerBuffer);
        tyrusIdleTimer.install(session);
        session.setMaxIdleTimeout(0); // liveness is the heartbeat's job
        Object attachment = new Object();
        attached.add(attachment);
        Connection connection = new Connection(
                session.getId() + "#" + nextId.incrementAndGet(),
                new WebSocketTransport(session, timers, settings.duration(Setting.CLOSE_TIMEOUT_MS),
                        () -> attached.remove(attachment)),
                new Connection.Limits(maxMessageBytes, settings.getInt(Setting.OUTBOX_MAX_MESSAGES),
                        Math.max(minOutboxBytes, settings.get(Setting.OUTBOX_MAX_BYTES))),
                access.sessionRate(),
                closer,
                System::currentTimeMillis);
        open.add(connection);
        connection.onEnd(() -> open.remove(connection));
        try {
            if (!admission.admits()) {
                // upgraded before the drain began, opened after: the handshake filter refuses the rest with 503
                throw admission.phase() == Admission.Phase.STARTING
                        ? new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, "server starting; try again later")
                        : new ProtocolViolation(SHUTTING_DOWN.code(), SHUTTING_DOWN.reason());
            }
            int max = settings.getInt(Setting.SESSIONS_MAX);
            if (open.size() > max) {
                throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER,
                        "server full: it holds its limit of " + max + " sessions; try again later");
            }
            if (!cluster.available()) {
                throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER,
                        "this node cannot reach the cluster's Redis; try again later");
            }
            admit(session.getUserPrincipal(), connection);
            connection.receiveWith(opening.open(connection));
        } catch (ProtocolViolation refused) {
            connection.abort(refused.closure());
        } catch (RuntimeException bug) {
            connection.fail(bug);
        }
        return connection;
    }

    /**
     * Applies what the handshake checks found ({@link AccessGate}): a refused token closes the
     * session with 1008, an address over its cap with 1013; a token's expiry closes the session
     * with 1008 "expired token" when it comes, which the browser client answers by reconnecting
     * with a fresh token.
     */
    private void admit(Principal principal, Connection connection) throws ProtocolViolation {
        if (!(principal instanceof Visitor visitor)) {
            // The handshake bypassed the filter (or a container lost its principal): no token was checked.
            if (access.tokensRequired()) {
                throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION, "token required");
            }
            return;
        }
        if (visitor.refusal().isPresent()) {
            throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION, visitor.refusal().get());
        }
        Optional<String> crowded = access.opened(visitor);
        if (crowded.isPresent()) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, crowded.get());
        }
        connection.onEnd(() -> access.closed(visitor));
        visitor.grant().ifPresent(grant -> {
            long left = Math.max(0, grant.expires().toEpochMilli() - System.currentTimeMillis());
            ScheduledFuture<?> expiry = timers.schedule(() -> connection.close(TOKEN_EXPIRED), left,
                    TimeUnit.MILLISECONDS);
            connection.onEnd(() -> expiry.cancel(false));
        });
    }

    private static final Closure TOKEN_EXPIRED = new Closure(CloseCodes.POLICY_VIOLATION, TokenRefusedException.EXPIRED);

    /**
     * The class of the WebSocket sessions the container hands the endpoints (which names the
     * WebSocket implementation serving them: Tyrus, Undertow, Tomcat's own...), or null before the
     * first session. Deployment tests use it to check that Tomcat runs the bundled Tyrus.
     */
    public String sessionImplementation() {
        return sessionImplementation;
    }

    /** Sessions open on the whole server. */
    public int openSessions() {
        return open.size();
    }

    /** Runs {@code task} every {@code period} on the bean's timer thread. */
    public ScheduledFuture<?> every(Duration period, Runnable task) {
        return timers.scheduleWithFixedDelay(guarded(task), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} once after {@code delay} on the bean's timer thread. */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return timers.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void startHeartbeat(Settings settings) {
        if (heartbeat == null) {
            synchronized (this) {
                if (heartbeat == null) {
                    long step = Math.max(1, settings.get(Setting.HEARTBEAT_INTERVAL_MS) / Heartbeat.STEPS);
                    Heartbeat beat = new Heartbeat(settings.get(Setting.HEARTBEAT_TIMEOUT_MS));
                    heartbeat = timers.scheduleWithFixedDelay(guarded(() -> beat.step(open)),
                            step, step, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** The last resort when nothing drained earlier; on most servers too late for the close frames to go out. */
    @PreDestroy
    void shutdown() {
        admission.advance(Admission.Phase.STOPPED);
        abortAll(SHUTTING_DOWN);
        timers.shutdownNow();
        tyrusIdleTimer.shutdownNow();
        closer.shutdown();
        try {
            closer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a scheduled task failed", e);
            }
        };
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
