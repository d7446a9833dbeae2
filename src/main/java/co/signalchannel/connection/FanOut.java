package co.signalchannel.connection;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Does one thing to each of many items (offer a message to every session of a namespace), sharing
 * a large run with helper threads (in practice those waiting for the namespace's {@link
 * HelpingLock}), and returns once every item has been done.
 *
 * <p>Why: a namespace delivers its messages one at a time, in one order, so a single thread would
 * carry a whole fan-out to thousands of sessions alone while the other cores idle. The run is cut
 * into slices of at least {@code minSlice} items; the calling thread and the helpers claim slices
 * until none is left, so a helper that starts late (or never, its executor busy) costs no waiting:
 * the caller does its slices too.
 *
 * <p>Guarantees: every item is done exactly once, each on one thread; everything done before the
 * call happens-before each item is done, and each item happens-before the call returns. Items of
 * one slice are done in array order; slices run in parallel. If an action throws, the other items
 * are still done and one of the failures is rethrown to the caller.
 */
public final class FanOut {

    private final Executor helpers;
    private final int helperCount;
    private final int minSlice;

    /**
     * @param helpers     runs the helpers' share; may refuse (then the caller does it all)
     * @param helperCount threads {@code helpers} can give a fan-out at once (0: the caller alone)
     * @param minSlice    fewest items worth handing to another thread
     */
    public FanOut(Executor helpers, int helperCount, int minSlice) {
        if (helperCount < 0 || minSlice < 1) {
            throw new IllegalArgumentException("helperCount " + helperCount + " and minSlice " + minSlice);
        }
        this.helpers = helpers;
        this.helperCount = helperCount;
        this.minSlice = minSlice;
    }

    /** Does {@code action} to every item of {@code items}, in parallel when there are enough. */
    public <T> void forEach(T[] items, Consumer<? super T> action) {
        // Twice as many slices as threads evens out threads that start late or run slow.
        int slices = Math.min(items.length / minSlice, 2 * (helperCount + 1));
        if (slices <= 1) {
            for (T item : items) {
                action.accept(item);
            }
            return;
        }
        Run<T> run = new Run<>(items, action, slices);
        try {
            for (int i = 0; i < Math.min(helperCount, slices - 1); i++) {
                helpers.execute(run);
            }
        } catch (RejectedExecutionException shuttingDown) {
            // the caller claims the helpers' slices
        }
        run.run();
        run.awaitDone();
    }

    /** One fan-out: its slices, claimed in turn by whoever runs it. */
    private static final class Run<T> implements Runnable {
        private final T[] items;
        private final Consumer<? super T> action;
        private final int slices;
        private final Thread caller = Thread.currentThread();
        private final AtomicInteger nextSlice = new AtomicInteger();
        private final AtomicInteger unfinished;
        private volatile RuntimeException failure;

        Run(T[] items, Consumer<? super T> action, int slices) {
            this.items = items;
            this.action = action;
            this.slices = slices;
            this.unfinished = new AtomicInteger(slices);
        }

        @Override
        public void run() {
            for (int slice = nextSlice.getAndIncrement(); slice < slices; slice = nextSlice.getAndIncrement()) {
                int from = (int) ((long) items.length * slice / slices);
                int to = (int) ((long) items.length * (slice + 1) / slices);
                try {
                    for (int i = from; i < to; i++) {
                        doOne(items[i]);
                    }
                } finally {
                    if (unfinished.decrementAndGet() == 0 && Thread.currentThread() != caller) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        private void doOne(T item) {
            try {
                action.accept(item);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }

        void awaitDone() {
            boolean interrupted = false;
            while (unfinished.get() != 0) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            RuntimeException failed = failure;
            if (failed != null) {
                throw failed;
            }
        }
    }
}
