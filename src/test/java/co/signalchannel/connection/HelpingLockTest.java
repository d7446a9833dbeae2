package co.signalchannel.connection;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HelpingLockTest {

    final HelpingLock lock = new HelpingLock();

    @Test
    void aThreadWaitingForTheLockDoesPartOfTheHoldersFanOutThenTakesTheLock() throws Exception {
        int count = 1_000;
        AtomicIntegerArray done = new AtomicIntegerArray(count);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch waiterHelped = new CountDownLatch(1);
        AtomicBoolean waiterGotTheLock = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            lock.lock();
            waiterGotTheLock.set(true);
            lock.unlock();
        }, "waiter");

        lock.lock();
        try {
            waiter.start();
            new FanOut(lock, 1, 10).forEach(IntStream.range(0, count).boxed().toArray(Integer[]::new), item -> {
                threads.add(Thread.currentThread());
                if (Thread.currentThread() == waiter) {
                    waiterHelped.countDown();
                } else if (item == 0) {
                    await(waiterHelped); // the holder's first item waits until the waiter has joined in
                }
                done.incrementAndGet(item);
            });
            assertThat(waiterGotTheLock).as("not while the holder holds it").isFalse();
        } finally {
            lock.unlock();
        }
        waiter.join(5_000);

        IntStream.range(0, count).forEach(i -> assertThat(done.get(i)).as("item %d", i).isEqualTo(1));
        assertThat(threads).containsExactlyInAnyOrder(Thread.currentThread(), waiter);
        assertThat(waiterGotTheLock).isTrue();
    }

    @Test
    void aWaiterWithNothingToHelpWithSleepsUntilTheLockIsFree() throws Exception {
        AtomicBoolean waiterGotTheLock = new AtomicBoolean();
        lock.lock();
        Thread waiter = new Thread(() -> {
            lock.lock();
            waiterGotTheLock.set(true);
            lock.unlock();
        });
        waiter.start();
        waiter.join(50);
        assertThat(waiterGotTheLock).isFalse();
        lock.unlock();
        waiter.join(5_000);
        assertThat(waiterGotTheLock).isTrue();
    }

    @Test
    void onlyTheHolderSharesWork() {
        assertThatThrownBy(() -> lock.execute(() -> { }))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).as("the waiter helped within 5 s").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
