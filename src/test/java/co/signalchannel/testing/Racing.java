package co.signalchannel.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs several tasks on threads of their own, released at the same moment, so that they race. */
public final class Racing {

    /** One racer's work; {@code racer} counts from 0. */
    @FunctionalInterface
    public interface Racer {
        void run(int racer) throws Exception;
    }

    private Racing() {
    }

    /** Runs {@code racers} copies of {@code racer} at once and waits (up to 30 s) for all; rethrows a failure. */
    public static void race(int racers, Racer racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    start.await();
                    racer.run(index);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
