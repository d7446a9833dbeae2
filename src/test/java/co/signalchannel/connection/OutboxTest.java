package co.signalchannel.connection;

import co.signalchannel.testing.FakeTransport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTest {

    @Test
    void sendsOneAtATimeInOfferOrder() {
        FakeTransport transport = new FakeTransport(false);
        Outbox outbox = new Outbox(transport, 10, 1_000);
        outbox.offer(new Outgoing.Text("a"));
        outbox.offer(new Outgoing.Text("b"));
        outbox.offer(new Outgoing.Text("c"));
        assertThat(transport.sentTexts()).containsExactly("a");
        transport.complete(null);
        assertThat(transport.sentTexts()).containsExactly("a", "b");
        transport.complete(null);
        transport.complete(null);
        assertThat(transport.sentTexts()).containsExactly("a", "b", "c");
        assertThat(transport.overlapped()).isFalse();
        assertThat(outbox.queuedMessages()).isZero();
        assertThat(outbox.queuedBytes()).isZero();
    }

    @Test
    void refusesOffersBeyondTheMessageBoundWithoutQueuingThem() {
        FakeTransport transport = new FakeTransport(false);
        Outbox outbox = new Outbox(transport, 2, 1_000);
        assertThat(outbox.offer(new Outgoing.Text("1"))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(outbox.offer(new Outgoing.Text("2"))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(outbox.offer(new Outgoing.Text("3"))).isEqualTo(Outbox.Offer.FULL);
        transport.complete(null);
        assertThat(outbox.offer(new Outgoing.Text("4"))).isEqualTo(Outbox.Offer.QUEUED);
        transport.complete(null);
        transport.complete(null);
        assertThat(transport.sentTexts()).containsExactly("1", "2", "4");
    }

    @Test
    void refusesOffersBeyondTheByteBound() {
        Outbox outbox = new Outbox(new FakeTransport(false), 100, 10);
        assertThat(outbox.offer(new Outgoing.Text("12345678"))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(outbox.offer(new Outgoing.Binary(new byte[3]))).isEqualTo(Outbox.Offer.FULL);
        assertThat(outbox.offer(new Outgoing.Binary(new byte[2]))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(outbox.queuedBytes()).isEqualTo(10);
    }

    @Test
    void aBacklogDrainedByASynchronousTransportDoesNotGrowTheStack() {
        FakeTransport transport = new FakeTransport(false);
        Outbox outbox = new Outbox(transport, 200_000, Long.MAX_VALUE);
        for (int i = 0; i < 100_000; i++) {
            outbox.offer(new Outgoing.Text("m" + i));
        }
        transport.completeAtOnce();
        transport.complete(null); // the other 99,999 now complete inside send()
        assertThat(transport.sent()).hasSize(100_000);
        assertThat(outbox.queuedMessages()).isZero();
    }

    @Test
    void aCloseIsSentAfterEverythingQueuedBeforeItAndEndsTheOutbox() {
        FakeTransport transport = new FakeTransport(false);
        Outbox outbox = new Outbox(transport, 10, 1_000);
        outbox.offer(new Outgoing.Text("last words"));
        outbox.offer(new Outgoing.Close(new Closure(1000, "bye")));
        assertThat(transport.closedWith()).isNull();
        transport.complete(null);
        assertThat(transport.closedWith()).isEqualTo(new Closure(1000, "bye"));
        assertThat(outbox.offer(new Outgoing.Text("too late"))).isEqualTo(Outbox.Offer.CLOSED);
    }

    @Test
    void aFailedSendClosesTheOutbox() {
        FakeTransport transport = new FakeTransport(false);
        Outbox outbox = new Outbox(transport, 10, 1_000);
        outbox.offer(new Outgoing.Text("a"));
        outbox.offer(new Outgoing.Text("b"));
        transport.complete(new IOException("broken pipe"));
        assertThat(outbox.isClosed()).isTrue();
        assertThat(transport.sentTexts()).containsExactly("a");
    }

    @Test
    void concurrentOffersAreAllSentExactlyOnceWithNoOverlap() throws Exception {
        FakeTransport transport = new FakeTransport(false);
        Outbox outbox = new Outbox(transport, 100_000, Long.MAX_VALUE);
        int threads = 4;
        int each = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch offered = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            pool.execute(() -> {
                for (int i = 0; i < each; i++) {
                    outbox.offer(new Outgoing.Text(id + ":" + i));
                }
                offered.countDown();
            });
        }
        // completions arrive on another thread, as a container's would
        pool.execute(() -> {
            int completed = 0;
            while (completed < threads * each) {
                if (transport.inFlight() > 0) {
                    transport.complete(null);
                    completed++;
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        pool.shutdown();
        assertThat(offered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        List<String> sent = transport.sentTexts();
        assertThat(sent).hasSize(threads * each).doesNotHaveDuplicates();
        assertThat(transport.overlapped()).isFalse();
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            List<Integer> own = new ArrayList<>();
            sent.stream().filter(s -> s.startsWith(prefix)).forEach(s -> own.add(Integer.parseInt(s.substring(prefix.length()))));
            assertThat(own).as("per-offerer order").isSorted();
        }
    }
}
