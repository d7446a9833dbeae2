package co.signalchannel.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives the publishers of a scenario from one thread, in one of two ways:
 * <ul>
 *   <li>{@link #saturate}: as fast as the server delivers, keeping a bounded number of
 *       deliveries outstanding, to find the most it sustains;</li>
 *   <li>{@link #openLoop}: at a fixed rate, whatever the server does, each message stamped with
 *       the time it was scheduled for, so queueing shows in the latency instead of slowing the
 *       schedule down (no coordinated omission).</li>
 * </ul>
 * Publishers take turns. Both stop by themselves after their duration.
 */
final class Schedule {

    /** Sends message {@code seq} of {@code publisher}, stamped {@code intendedNanos}. */
    @FunctionalInterface
    interface Publisher {
        void publish(int publisher, long seq, long intendedNanos) throws IOException;
    }

    /** What one run measured. */
    record Run(double deliveriesPerSecond, double messagesPerSecond, double bytesPerSecond, long sentMessages) {
    }

    private final DeliveryLedger ledger;
    private final Publisher publisher;
    private final long bytesPerDelivery;

    Schedule(DeliveryLedger ledger, long bytesPerDelivery, Publisher publisher) {
        this.ledger = ledger;
        this.publisher = publisher;
        this.bytesPerDelivery = bytesPerDelivery;
    }

    /**
     * Publishes as fast as deliveries complete, at most {@code window} deliveries outstanding,
     * for {@code warmUp + measure}, and counts what arrived during {@code measure}. Waits for the
     * stragglers before returning.
     */
    Run saturate(Duration warmUp, Duration measure, long window) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measure.toNanos();
        long receivedAtStart = -1;
        long expectedBefore = ledger.expected();
        int next = 0;
        long sentMessages = 0;
        ledger.stopRecording();
        while (true) {
            long now = System.nanoTime();
            if (receivedAtStart < 0 && now >= measureFrom) {
                receivedAtStart = ledger.received();
            }
            if (now >= end) {
                break;
            }
            if (ledger.expected() - ledger.received() >= window) {
                LockSupport.parkNanos(10_000);
                continue;
            }
            int p = next;
            next = (next + 1) % ledger.publishers();
            publisher.publish(p, ledger.nextSeq(p), now);
            ledger.sent(p);
            sentMessages++;
        }
        long delivered = ledger.received() - receivedAtStart;
        double seconds = (System.nanoTime() - measureFrom) / 1e9;
        ledger.awaitAll(10_000);
        // What the server delivered, in messages: the sends of the measured span also filled the
        // window, so their own rate would overstate it.
        double deliveriesPerMessage = (double) (ledger.expected() - expectedBefore) / Math.max(1, sentMessages);
        return new Run(delivered / seconds, delivered / seconds / deliveriesPerMessage,
                delivered * bytesPerDelivery / seconds, sentMessages);
    }

    /**
     * Publishes {@code messagesPerSecond} on a fixed schedule for {@code warmUp + measure};
     * latencies of messages scheduled during {@code measure} are recorded in the ledger.
     *
     * @return how far behind its schedule the publishing thread ever fell, in milliseconds
     */
    double openLoop(double messagesPerSecond, Duration warmUp, Duration measure) throws IOException, InterruptedException {
        long period = Math.max(1, Math.round(1e9 / messagesPerSecond));
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measure.toNanos();
        ledger.recordFrom(measureFrom);
        int next = 0;
        long worstLag = 0;
        long i = 0;
        while (true) {
            long intended = start + i * period;
            if (intended >= end) {
                break;
            }
            long now = System.nanoTime();
            if (intended > now) {
                // No spinning: the server needs the cores. Messages due while parked go out in a
                // burst, each still stamped with its own scheduled time.
                LockSupport.parkNanos(intended - now);
                continue;
            }
            worstLag = Math.max(worstLag, now - intended);
            int p = next;
            next = (next + 1) % ledger.publishers();
            publisher.publish(p, ledger.nextSeq(p), intended);
            ledger.sent(p);
            i++;
        }
        ledger.awaitAll(10_000);
        ledger.stopRecording();
        return worstLag / 1e6;
    }
}
