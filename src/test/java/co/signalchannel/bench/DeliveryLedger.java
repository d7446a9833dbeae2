package co.signalchannel.bench;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accounts for every delivery of a scenario: how many each publisher sent and each receiver got,
 * which were lost, duplicated or out of order, and how late each arrived.
 *
 * <p>Each message carries its publisher's index, a sequence number that counts up from 0 per
 * publisher, and the time it was <em>meant</em> to be sent (so a late send counts against the
 * latency, as it would for a real user). A receiver expects each publisher's messages in order;
 * anything else is counted. Latency histograms are kept per loop thread, so recording takes no
 * lock, and are merged on demand.
 */
final class DeliveryLedger {

    /** What one receiving socket expects next from each publisher it hears. */
    static final class Expectation {
        final int[] next;

        Expectation(int publishers) {
            next = new int[publishers];
        }
    }

    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

    private final long[] sent;
    private final long[] deliveriesPerMessage;
    private volatile long expected; // written by the publishing thread only
    private final LongAdder received = new LongAdder();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Histogram[] latency;
    private volatile long recordFrom = Long.MAX_VALUE;

    /**
     * @param deliveriesPerMessage for each publisher, how many receivers hear each of its messages
     * @param loops                the generator's loop threads
     */
    DeliveryLedger(long[] deliveriesPerMessage, int loops) {
        this.deliveriesPerMessage = deliveriesPerMessage.clone();
        this.sent = new long[deliveriesPerMessage.length];
        latency = new Histogram[loops];
        for (int i = 0; i < loops; i++) {
            latency[i] = new Histogram(HIGHEST_MICROS, 3);
        }
    }

    int publishers() {
        return sent.length;
    }

    long deliveriesPerMessage(int publisher) {
        return deliveriesPerMessage[publisher];
    }

    /** Called by the (single) publishing thread once the next message of {@code publisher} is sent. */
    void sent(int publisher) {
        sent[publisher]++;
        expected += deliveriesPerMessage[publisher];
    }

    /** The next sequence number of {@code publisher}. */
    long nextSeq(int publisher) {
        return sent[publisher];
    }

    long expected() {
        return expected;
    }

    long received() {
        return received.sum();
    }

    long duplicated() {
        return duplicated.get();
    }

    /** Deliveries that never arrived (so far); exact once every send has had time to arrive. */
    long lost() {
        return Math.max(0, expected - (received.sum() - duplicated.get()));
    }

    /** Times a receiver got a message beyond the one it expected next (a gap, or a reordering). */
    long outOfOrder() {
        return skipped.get();
    }

    /** Records latencies of messages meant to be sent at or after {@code nanos}, and clears the histograms. */
    void recordFrom(long nanos) {
        recordFrom = Long.MAX_VALUE;
        for (Histogram histogram : latency) {
            synchronized (histogram) {
                histogram.reset();
            }
        }
        recordFrom = nanos;
    }

    void stopRecording() {
        recordFrom = Long.MAX_VALUE;
    }

    /** The latencies recorded since {@link #recordFrom}, in microseconds. */
    Histogram latency() {
        Histogram merged = new Histogram(HIGHEST_MICROS, 3);
        for (Histogram histogram : latency) {
            synchronized (histogram) {
                merged.add(histogram);
            }
        }
        return merged;
    }

    /** Called on a loop thread for each message a receiver got. */
    void delivered(Expectation expectation, int publisher, int seq, long intendedNanos, int loop) {
        long now = System.nanoTime();
        received.increment();
        int next = expectation.next[publisher];
        if (seq < next) {
            duplicated.incrementAndGet();
            return;
        }
        if (seq > next) {
            skipped.incrementAndGet();
        }
        expectation.next[publisher] = seq + 1;
        if (intendedNanos >= recordFrom) {
            Histogram histogram = latency[loop];
            synchronized (histogram) {
                histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - intendedNanos) / 1_000)));
            }
        }
    }

    /**
     * Waits until every delivery expected so far has arrived, or nothing arrived for
     * {@code quietMillis}, or a minute passed.
     *
     * @return whether all arrived
     */
    boolean awaitAll(long quietMillis) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        long deadline = lastChange + TimeUnit.SECONDS.toNanos(60); // a backlog drains within a minute, or counts as lost
        while (System.nanoTime() < deadline) {
            long got = received.sum() - duplicated.get();
            if (got >= expected) {
                return true;
            }
            if (got != last) {
                last = got;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
                return false;
            }
            Thread.sleep(5);
        }
        return false;
    }
}
