package co.signalchannel.connection;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FanOutTest {

    final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static Integer[] items(int count) {
        return IntStream.range(0, count).boxed().toArray(Integer[]::new);
    }

    @Test
    void aSmallRunStaysOnTheCallingThread() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        new FanOut(pool, 3, 64).forEach(items(127), item -> threads.add(Thread.currentThread()));
        assertThat(threads).containsExactly(Thread.currentThread());
    }

    @Test
    void aLargeRunIsSharedAndDoesEveryItemExactlyOnce() throws InterruptedException {
        int count = 10_000;
        AtomicIntegerArray done = new AtomicIntegerArray(count);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch secondThread = new CountDownLatch(1);
        new FanOut(pool, 3, 64).forEach(items(count), item -> {
            threads.add(Thread.currentThread());
            if (threads.size() > 1) {
                secondThread.countDown();
            } else {
                // Whoever claims a slice first (the caller or a helper) holds it until another
                // thread claims one, so the test sees sharing however the threads are scheduled.
                await(secondThread);
                secondThread.countDown(); // waited long enough: the assertion below tells
            }
            done.incrementAndGet(item);
        });
        IntStream.range(0, count).forEach(i -> assertThat(done.get(i)).as("item %d", i).isEqualTo(1));
        assertThat(threads).hasSizeGreaterThan(1);
    }

    @Test
    void everyItemIsDoneBeforeTheCallReturns() {
        int count = 5_000;
        AtomicIntegerArray done = new AtomicIntegerArray(count);
        for (int round = 0; round < 50; round++) {
            int expected = round + 1;
            new FanOut(pool, 3, 16).forEach(items(count), done::incrementAndGet);
            IntStream.range(0, count).forEach(i -> assertThat(done.get(i)).isEqualTo(expected));
        }
    }

    @Test
    void helpersThatNeverRunCostNothingButTime() {
        AtomicIntegerArray done = new AtomicIntegerArray(1_000);
        new FanOut(task -> { }, 3, 8).forEach(items(1_000), done::incrementAndGet);
        IntStream.range(0, 1_000).forEach(i -> assertThat(done.get(i)).isEqualTo(1));
    }

    @Test
    void aRefusingExecutorLeavesTheWholeRunToTheCaller() {
        AtomicIntegerArray done = new AtomicIntegerArray(1_000);
        new FanOut(task -> {
            throw new RejectedExecutionException("shut down");
        }, 3, 8).forEach(items(1_000), done::incrementAndGet);
        IntStream.range(0, 1_000).forEach(i -> assertThat(done.get(i)).isEqualTo(1));
    }

    @Test
    void aFailingItemIsRethrownAfterEveryOtherItemIsDone() {
        AtomicIntegerArray done = new AtomicIntegerArray(1_000);
        assertThatThrownBy(() -> new FanOut(pool, 3, 8).forEach(items(1_000), item -> {
            if (item == 500) {
                throw new IllegalStateException("item 500 failed");
            }
            done.incrementAndGet(item);
        })).isInstanceOf(IllegalStateException.class).hasMessage("item 500 failed");
        IntStream.range(0, 1_000).filter(i -> i != 500).forEach(i -> assertThat(done.get(i)).isEqualTo(1));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
