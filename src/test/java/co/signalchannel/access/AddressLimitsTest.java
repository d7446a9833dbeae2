package co.signalchannel.access;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class AddressLimitsTest {

    static final long SECOND = 1_000_000_000L;
    static final String A = "198.51.100.1";
    static final String B = "198.51.100.2";

    final AtomicLong nanos = new AtomicLong(5 * SECOND);
    final AddressLimits limits = new AddressLimits(new AddressLimits.Limits(2, 4, 3), nanos::get);

    @Test
    void anAddressMayHandshakeItsBurstAtOnceThenAtItsRate() {
        for (int i = 0; i < 4; i++) {
            assertThat(limits.handshake(A)).as("handshake %d", i).isEmpty();
        }
        assertThat(limits.handshake(A)).hasValue("Too many new sessions from " + A
                + ": the limit is 2 per second (burst 4); try again later.");
        nanos.addAndGet(SECOND / 2);
        assertThat(limits.handshake(A)).isEmpty();
        assertThat(limits.handshake(A)).isPresent();
    }

    @Test
    void addressesAreLimitedEachOnItsOwn() {
        for (int i = 0; i < 4; i++) {
            limits.handshake(A);
        }
        assertThat(limits.handshake(A)).isPresent();
        assertThat(limits.handshake(B)).isEmpty();
        for (int i = 0; i < 3; i++) {
            assertThat(limits.opened(A)).isTrue();
        }
        assertThat(limits.opened(A)).isFalse();
        assertThat(limits.opened(B)).isTrue();
    }

    @Test
    void anAddressHoldingItsCapIsRefusedAtTheHandshakeWithTheCapInTheReason() {
        for (int i = 0; i < 3; i++) {
            limits.opened(A);
        }
        nanos.addAndGet(100 * SECOND);
        assertThat(limits.handshake(A)).hasValue(limits.tooMany());
        assertThat(limits.tooMany()).contains("the limit is 3");
    }

    @Test
    void handshakesRacingPastTheCapAreStoppedExactlyAtOpened() {
        AddressLimits roomy = new AddressLimits(new AddressLimits.Limits(100, 100, 3), nanos::get);
        for (int i = 0; i < 5; i++) {
            assertThat(roomy.handshake(A)).as("handshake %d, none opened yet", i).isEmpty();
        }
        assertThat(List.of(roomy.opened(A), roomy.opened(A), roomy.opened(A), roomy.opened(A), roomy.opened(A)))
                .containsExactly(true, true, true, false, false);
    }

    @Test
    void closingASessionFreesItsPlace() {
        for (int i = 0; i < 3; i++) {
            limits.opened(A);
        }
        assertThat(limits.opened(A)).isFalse();
        limits.closed(A);
        assertThat(limits.opened(A)).isTrue();
        assertThat(limits.opened(A)).isFalse();
    }

    @Test
    void forgettingDropsOnlyAddressesWithoutSessionsWhoseBucketIsFull() {
        limits.handshake(A);            // bucket not full for half a second
        limits.opened(B);               // holds a session
        limits.handshake("198.51.100.3");
        nanos.addAndGet(SECOND / 2 - 1);
        limits.forgetIdle();
        assertThat(limits.remembered()).isEqualTo(3);
        nanos.addAndGet(1);
        limits.forgetIdle();
        assertThat(limits.remembered()).isEqualTo(1);
        limits.closed(B);
        limits.forgetIdle();
        assertThat(limits.remembered()).isZero();
    }

    @Test
    void aForgottenAddressStartsAfreshAndItsBucketWasFullAnyway() {
        for (int i = 0; i < 4; i++) {
            limits.handshake(A);
        }
        limits.forgetIdle();
        assertThat(limits.remembered()).as("an emptied bucket is remembered").isEqualTo(1);
        assertThat(limits.handshake(A)).isPresent();
        nanos.addAndGet(2 * SECOND);
        limits.forgetIdle();
        assertThat(limits.remembered()).isZero();
        for (int i = 0; i < 4; i++) {
            assertThat(limits.handshake(A)).isEmpty();
        }
        assertThat(limits.handshake(A)).isPresent();
    }

    @Test
    void manyThreadsOpeningAndClosingKeepTheCountsExactWhileIdleAddressesAreForgotten() throws Exception {
        int cap = 7;
        AddressLimits shared = new AddressLimits(new AddressLimits.Limits(1_000_000, 1_000_000, cap), System::nanoTime);
        int threads = 8;
        int rounds = 20_000;
        List<String> addresses = List.of(A, B, "2001:db8:0:0:0:0:0:1");
        AtomicInteger[] open = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        AtomicInteger overCap = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            Future<?> sweeper = pool.submit(() -> {
                while (running.get()) {
                    shared.forgetIdle();
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        int which = (i + seed) % addresses.size();
                        String address = addresses.get(which);
                        if (shared.opened(address)) {
                            if (open[which].incrementAndGet() > cap) {
                                overCap.incrementAndGet();
                            }
                            open[which].decrementAndGet();
                            shared.closed(address);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            running.set(false);
            sweeper.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(overCap).as("sessions counted over the cap").hasValue(0);
        // Every session closed: each address must again take exactly its cap, no more, no less.
        for (String address : addresses) {
            int admitted = 0;
            for (int i = 0; i < cap + 3; i++) {
                if (shared.opened(address)) {
                    admitted++;
                }
            }
            assertThat(admitted).as("sessions admitted from %s after the storm", address).isEqualTo(cap);
        }
    }

    @Test
    void concurrentOpeningsFromOneAddressAdmitExactlyTheCap() throws Exception {
        int cap = 50;
        AddressLimits shared = new AddressLimits(new AddressLimits.Limits(1, 1, cap), System::nanoTime);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger admitted = new AtomicInteger();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        if (shared.opened(A)) {
                            admitted.incrementAndGet();
                        }
                        shared.forgetIdle();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(admitted).hasValue(cap);
    }
}
