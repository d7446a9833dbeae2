package co.signalchannel.echo;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.namespace.Namespace;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The sessions of one echo namespace, and the order its messages are delivered in.
 *
 * <p>Guarantee: all members (the sender included) are offered the namespace's messages in one
 * order, the order in which {@link #broadcast} calls took their turn, so each sender's messages
 * also keep the order it sent them. Offering never blocks on a member: one too slow to take a
 * message is closed by its own outbox and the others go on.
 *
 * <p>How: members sit in delivery lanes, each lane delivered by one thread at a time, in order.
 * A broadcast queues the message on every lane (a moment under this namespace's lock) and then
 * its thread delivers whichever lanes no other thread is delivering. So the threads that receive
 * messages from several senders deliver a large namespace's broadcasts side by side, on every
 * core, where one lock held for a whole fan-out would let one thread do it all. A namespace keeps
 * its first {@code spreadAbove} members in one lane (small namespaces gain nothing from lanes),
 * then gives each newcomer the lane with the fewest members. A member never changes lanes: that
 * is what keeps its messages in order. Each message is one object offered to every member, so
 * its wire frame is built once.
 */
final class EchoNamespace implements Namespace {

    /**
     * Broadcasts one lane may hold undelivered before senders wait for it: the threads that bring
     * messages in are slowed to the pace they are delivered at, as a lock would, and memory stays
     * bounded.
     */
    static final int MAX_BACKLOG = 1_024;

    private static final Connection[] NONE = {};

    /** One message for the members a lane had when it was broadcast. */
    private record Delivery(Connection[] members, Outgoing message) {
    }

    /** Members delivered to by one thread at a time, in broadcast order. */
    private static final class Lane {
        /** Replaced, never modified, under the namespace's lock. */
        Connection[] members = NONE;
        final Queue<Delivery> backlog = new ConcurrentLinkedQueue<>();
        final AtomicInteger waiting = new AtomicInteger();
        final AtomicBoolean delivering = new AtomicBoolean();

        /** Delivers the backlog unless another thread is at it; that thread then finishes it. */
        void deliver() {
            while (!backlog.isEmpty() && delivering.compareAndSet(false, true)) {
                try {
                    for (Delivery delivery = backlog.poll(); delivery != null; delivery = backlog.poll()) {
                        waiting.decrementAndGet();
                        for (Connection member : delivery.members()) {
                            member.send(delivery.message());
                        }
                    }
                } finally {
                    delivering.set(false);
                }
            }
        }
    }

    private final Lane[] lanes;
    private final int spreadAbove;
    private final Map<Connection, Lane> laneOf = new HashMap<>();

    /**
     * @param lanes       delivery lanes, one per core that may deliver at once
     * @param spreadAbove members kept in the first lane before newcomers are spread
     */
    EchoNamespace(int lanes, int spreadAbove) {
        this.lanes = new Lane[Math.max(1, lanes)];
        for (int i = 0; i < this.lanes.length; i++) {
            this.lanes[i] = new Lane();
        }
        this.spreadAbove = spreadAbove;
    }

    @Override
    public synchronized boolean join(Connection connection) {
        if (laneOf.containsKey(connection)) {
            return false;
        }
        Lane lane = lanes[0];
        if (laneOf.size() >= spreadAbove) {
            for (Lane candidate : lanes) {
                if (candidate.members.length < lane.members.length) {
                    lane = candidate;
                }
            }
        }
        Connection[] members = Arrays.copyOf(lane.members, lane.members.length + 1);
        members[members.length - 1] = connection;
        lane.members = members;
        laneOf.put(connection, lane);
        return true;
    }

    @Override
    public synchronized boolean leave(Connection connection) {
        Lane lane = laneOf.remove(connection);
        if (lane == null) {
            return false;
        }
        Connection[] members = new Connection[lane.members.length - 1];
        int kept = 0;
        for (Connection member : lane.members) {
            if (member != connection) {
                members[kept++] = member;
            }
        }
        lane.members = members;
        return true;
    }

    @Override
    public synchronized int sessions() {
        return laneOf.size();
    }

    /** Delivers the message to every member, the sender included. */
    void broadcast(Outgoing message) {
        synchronized (this) {
            for (Lane lane : lanes) {
                if (lane.members.length > 0) {
                    lane.waiting.incrementAndGet();
                    lane.backlog.add(new Delivery(lane.members, message));
                }
            }
        }
        deliver();
        while (backlogged()) {
            LockSupport.parkNanos(100_000);
            deliver();
        }
    }

    private void deliver() {
        // Concurrent senders start on different lanes, so each finds one free at once.
        int first = lanes.length == 1 ? 0 : ThreadLocalRandom.current().nextInt(lanes.length);
        for (int i = 0; i < lanes.length; i++) {
            lanes[(first + i) % lanes.length].deliver();
        }
    }

    private boolean backlogged() {
        for (Lane lane : lanes) {
            if (lane.waiting.get() > MAX_BACKLOG) {
                return true;
            }
        }
        return false;
    }
}
