package co.signalchannel.connection;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class TyrusIdleTimerTest {

    final TyrusIdleTimer timer = new TyrusIdleTimer(Executors.defaultThreadFactory());

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aTaskWithoutDelayRunsAtOnceOnTheCallingThread() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        ScheduledFuture<?> future = timer.schedule(() -> ranOn.set(Thread.currentThread()), 0, TimeUnit.MILLISECONDS);
        assertThat(ranOn).hasValue(Thread.currentThread());
        assertThat(future.isDone()).isTrue();
        assertThat(future.cancel(false)).as("nothing left to cancel").isFalse();
    }

    @Test
    void aTaskWithADelayIsScheduledAndCanBeCancelled() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        // Not done before its delay: an hour, so a loaded machine cannot make it run meanwhile.
        ScheduledFuture<?> cancelled = timer.schedule(ran::countDown, 1, TimeUnit.HOURS);
        assertThat(cancelled.isDone()).isFalse();
        assertThat(cancelled.cancel(false)).isTrue();

        timer.schedule(ran::countDown, 20, TimeUnit.MILLISECONDS);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(timer.getQueue()).as("a restarted timer leaves no task behind").isEmpty();
    }
}
