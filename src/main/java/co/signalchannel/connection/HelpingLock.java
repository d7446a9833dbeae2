package co.signalchannel.connection;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock whose waiters help its holder: a thread that finds the lock taken runs the work the
 * holder has shared (the rest of a {@link FanOut}) instead of sleeping until the lock is free.
 *
 * <p>Why: a scuttlebutt namespace forwards each update to every session under its lock. Threads
 * of our own could share that work, but on Payara a write from a thread that is not one of the
 * container's I/O threads allocates a fresh output buffer, which cost such a helper half its time.
 * The threads waiting for the lock are the container's own, with their pooled buffers, and would
 * otherwise be idle; when nobody waits, the holder does the whole run itself.
 *
 * <p>Work is shared by handing it to {@link #execute} while holding the lock; it is withdrawn when
 * the lock is released. Shared work must tolerate being run by several threads at once and after
 * it is finished, as a {@link FanOut} run does (each thread claims slices until none is left).
 * A waiter runs each piece of shared work at most once.
 */
public final class HelpingLock implements Executor {

    /**
     * How long a waiter sleeps before it looks for newly shared work again; it wakes at once when
     * the lock is released. Short next to a fan-out (milliseconds), long next to a context switch.
     */
    private static final long RECHECK_NANOS = TimeUnit.MICROSECONDS.toNanos(250);

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Runnable shared;

    /** Takes the lock, helping with whatever its holder shares until then. */
    public void lock() {
        Runnable helped = null;
        while (!lock.tryLock()) {
            Runnable work = shared;
            if (work != null && work != helped) {
                helped = work;
                work.run();
            } else if (tryLockWithin(RECHECK_NANOS)) {
                return;
            }
        }
    }

    public void unlock() {
        shared = null;
        lock.unlock();
    }

    /** Shares {@code work} with the threads waiting for this lock; call it while holding the lock. */
    @Override
    public void execute(Runnable work) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("only the lock's holder shares work");
        }
        shared = work;
    }

    private boolean tryLockWithin(long nanos) {
        try {
            return lock.tryLock(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            lock.lock(); // the caller needs the lock; keep the interrupt for it to see
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
