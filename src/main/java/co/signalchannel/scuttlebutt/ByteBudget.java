package co.signalchannel.scuttlebutt;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes every scuttlebutt model of the server may retain together, and how many they retain
 * now, estimated as each model estimates its own records ({@link ExpiryModel#estimatedSize}).
 *
 * <p>Models keep the total up to date as their records change, so reading it costs nothing and no
 * model is ever scanned. Growth is taken only if it fits ({@link #tryTake}), atomically, so the
 * total never exceeds {@link #max()} however many models grow at once; shrinking always succeeds.
 * Thread-safe.
 */
public final class ByteBudget {

    private final long max;
    private final AtomicLong used = new AtomicLong();

    /** @param max the most bytes all models together may retain */
    public ByteBudget(long max) {
        if (max <= 0) {
            throw new IllegalArgumentException("a byte budget must be positive, got " + max);
        }
        this.max = max;
    }

    public long max() {
        return max;
    }

    /** The bytes the models retain now. */
    public long used() {
        return used.get();
    }

    /** Whether {@code bytes} more would fit now (another thread may take them first). */
    public boolean hasRoomFor(long bytes) {
        return bytes <= max - used.get();
    }

    /**
     * Counts {@code bytes} more, if they fit.
     *
     * @return whether they were counted; if not, nothing changed
     */
    boolean tryTake(long bytes) {
        while (true) {
            long now = used.get();
            if (bytes > max - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Counts {@code bytes} fewer: a model forgot records. */
    void giveBack(long bytes) {
        used.addAndGet(-bytes);
    }

    @Override
    public String toString() {
        return used() + " of " + max + " bytes";
    }
}
