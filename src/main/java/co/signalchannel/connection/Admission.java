package co.signalchannel.connection;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the server admits new sessions: not yet while it starts, then until it begins to drain,
 * never again after. The phases only move forward, so a drain that has begun cannot be undone by
 * a late start-up event.
 */
public final class Admission {

    /** Where the server is in its life, in the order it passes through them. */
    public enum Phase {
        /** Deploying: the endpoints may not be registered yet. */
        STARTING,
        /** Sessions are admitted. */
        OPEN,
        /** Stopping: no session is admitted; those open are flushed, then closed with 1001. */
        DRAINING,
        /** Every session was closed. */
        STOPPED
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);

    public Phase phase() {
        return phase.get();
    }

    public boolean admits() {
        return phase.get() == Phase.OPEN;
    }

    /**
     * Moves to {@code next} if it lies ahead of the current phase.
     *
     * @return whether the phase changed
     */
    public boolean advance(Phase next) {
        Phase current = phase.get();
        while (current.compareTo(next) < 0) {
            if (phase.compareAndSet(current, next)) {
                return true;
            }
            current = phase.get();
        }
        return false;
    }
}
