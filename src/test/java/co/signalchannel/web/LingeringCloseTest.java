package co.signalchannel.web;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class LingeringCloseTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final long MAX_BYTES = 1_000;

    private final List<Duration> delays = new ArrayList<>();
    private final List<Runnable> timeouts = new ArrayList<>();
    private final AtomicInteger closes = new AtomicInteger();
    private final LingeringClose linger = new LingeringClose(TIMEOUT, MAX_BYTES, (delay, task) -> {
        delays.add(delay);
        timeouts.add(task);
    }, closes::incrementAndGet);

    private void timeOut() {
        assertThat(timeouts).hasSize(1);
        timeouts.get(0).run();
    }

    @Test
    void nothingIsClosedBeforeTheCloseIsRequestedWhateverTheClientDoes() {
        linger.clientEnded();
        linger.discarded(5_000);

        assertThat(closes).hasValue(0);
        assertThat(linger.isOver()).isTrue();
    }

    @Test
    void aClientThatHasEndedAlreadyIsClosedOnAtOnceWithNoTimeout() {
        linger.clientEnded();
        linger.closeRequested();

        assertThat(closes).hasValue(1);
        assertThat(timeouts).isEmpty();
    }

    @Test
    void aCloseRequestedDuringACallbackWaitsForTheClientThenCloses() {
        assertThat(linger.enter()).isTrue();
        linger.closeRequested();
        linger.discarded(100);
        linger.leave();

        assertThat(closes).hasValue(0);
        assertThat(linger.isOver()).isFalse();
        assertThat(delays).containsExactly(TIMEOUT);

        assertThat(linger.enter()).isTrue();
        linger.clientEnded();
        assertThat(closes).as("not under a callback").hasValue(0);
        linger.leave();

        assertThat(closes).hasValue(1);
        assertThat(linger.enter()).as("a callback after the close").isFalse();
    }

    @Test
    void aSilentClientIsClosedOnByTheTimeout() {
        linger.closeRequested();
        assertThat(closes).hasValue(0);

        timeOut();

        assertThat(closes).hasValue(1);
    }

    @Test
    void aTimeoutDuringACallbackClosesAsTheCallbackLeaves() {
        linger.closeRequested();
        assertThat(linger.enter()).isTrue();

        timeOut();
        assertThat(closes).hasValue(0);
        assertThat(linger.isOver()).as("the callback stops reading").isTrue();

        linger.leave();
        assertThat(closes).hasValue(1);
    }

    @Test
    void readingMoreThanTheBoundEndsTheLinger() {
        assertThat(linger.enter()).isTrue();
        linger.closeRequested();
        linger.discarded((int) MAX_BYTES);
        assertThat(linger.isOver()).isFalse();
        linger.discarded(1);
        assertThat(linger.isOver()).isTrue();
        linger.leave();

        assertThat(closes).hasValue(1);
    }

    @Test
    void theConnectionIsClosedOnceWhateverComesAfter() {
        linger.closeRequested();
        linger.closeRequested();
        assertThat(timeouts).hasSize(1);
        assertThat(linger.enter()).isTrue();
        linger.clientEnded();
        linger.leave();

        timeOut();
        linger.closeRequested();
        assertThat(linger.enter()).isFalse();

        assertThat(closes).hasValue(1);
    }

    @Test
    void callbacksOnTwoThreadsAtOnceHoldTheCloseUntilBothHaveLeft() {
        linger.closeRequested();
        assertThat(linger.enter()).isTrue();
        assertThat(linger.enter()).isTrue();
        linger.clientEnded();

        linger.leave();
        assertThat(closes).hasValue(0);
        linger.leave();
        assertThat(closes).hasValue(1);
    }
}
