package co.signalchannel.connection;

import jakarta.websocket.Session;

import java.lang.reflect.Field;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Gives Tyrus sessions a scheduler of ours for their idle timer, one that runs a zero-delay task
 * at once instead of scheduling it.
 *
 * <p>Which container needs it, and why: Payara. Tyrus restarts a session's idle timer on every
 * message it receives (and every pong, and when the timeout is set), scheduling a task with the
 * idle timeout as its delay. Payara hands Tyrus its {@code ManagedScheduledExecutorService}, which
 * captures the thread context for each task by scanning the class path for service providers: in
 * the benchmark (issue 6) that cost more CPU per received message than delivering it to a
 * thousand sessions. signal-channel sessions have no idle timeout (0; liveness is the heartbeat's
 * job), so the task is Tyrus' no-op check "is the idle timeout over 0?": running it at once is
 * what the schedule asks for, and costs nothing.
 *
 * <p>Only sessions whose class has Tyrus' {@code service} field get it; anywhere else this does
 * nothing. Tasks with a delay (someone set an idle timeout, or Tyrus' own heartbeat) run on this
 * scheduler's thread, as on any scheduler.
 */
final class TyrusIdleTimer extends ScheduledThreadPoolExecutor {

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimer.class.getName());
    private static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";
    private static final ConcurrentHashMap<Class<?>, Optional<Field>> SERVICE = new ConcurrentHashMap<>();

    TyrusIdleTimer(ThreadFactory threads) {
        super(1, threads);
        setRemoveOnCancelPolicy(true); // a restarted timer's cancelled task leaves at once
    }

    /** Makes this the session's idle-timer scheduler, if it is a Tyrus session. */
    void install(Session session) {
        Optional<Field> service = SERVICE.computeIfAbsent(session.getClass(), TyrusIdleTimer::find);
        if (service.isPresent()) {
            try {
                service.get().set(session, this);
            } catch (IllegalAccessException | RuntimeException e) {
                LOG.log(Level.FINE, e, () -> "could not give session " + session.getId() + " our idle timer");
            }
        }
    }

    private static Optional<Field> find(Class<?> sessionClass) {
        for (Class<?> type = sessionClass; type != null; type = type.getSuperclass()) {
            if (type.getName().equals(TYRUS_SESSION)) {
                try {
                    Field service = type.getDeclaredField("service");
                    if (service.getType().isAssignableFrom(TyrusIdleTimer.class)) {
                        service.setAccessible(true);
                        return Optional.of(service);
                    }
                } catch (NoSuchFieldException | RuntimeException e) {
                    LOG.log(Level.FINE, e, () -> "Tyrus' session has no service field we can set; leaving its idle timer alone");
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay > 0) {
            return super.schedule(command, delay, unit);
        }
        command.run();
        return RAN;
    }

    private static final ScheduledFuture<Object> RAN = new Ran();

    /** A task that has run. */
    private static final class Ran implements ScheduledFuture<Object> {

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
