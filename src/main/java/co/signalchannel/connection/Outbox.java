package co.signalchannel.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * A session's bounded queue of outgoing messages, drained by one writer at a time.
 *
 * <p>Guarantees: {@link #offer} never blocks and may be called from any thread; messages are sent
 * in the order their offers completed; at most one {@link Transport#send} is in flight, so
 * containers that refuse concurrent sends on one session (Tomcat) are never given two. When the
 * queue would exceed its message or byte bound the offer is refused and nothing is queued: the
 * caller decides what a slow session deserves.
 *
 * <p>An echo fan-out offers one message to thousands of outboxes in a row, so an offer is kept
 * cheap: counters and flags are fields of this object (one cache line to touch, not four small
 * objects), a message offered while nothing waits and nobody writes is sent at once without
 * queueing, and the in-flight send needs no allocation of its own.
 */
public final class Outbox {

    /** What became of an offer. */
    public enum Offer { QUEUED, FULL, CLOSED }

    private static final VarHandle QUEUED_MESSAGES;
    private static final VarHandle QUEUED_BYTES;
    private static final VarHandle WRITING;
    private static final VarHandle FINISHED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUED_MESSAGES = lookup.findVarHandle(Outbox.class, "queuedMessages", int.class);
            QUEUED_BYTES = lookup.findVarHandle(Outbox.class, "queuedBytes", long.class);
            WRITING = lookup.findVarHandle(Outbox.class, "writing", boolean.class);
            FINISHED = lookup.findVarHandle(Outbox.class, "finished", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Transport transport;
    private final int maxMessages;
    private final long maxBytes;

    private final Queue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private volatile int queuedMessages;
    private volatile long queuedBytes;
    /** Whether some thread holds the writer role. */
    private volatile boolean writing;
    private volatile boolean closed;
    /** Size of the send in flight, released when it completes. */
    private volatile int inFlightSize;
    /**
     * Of the two parties to the send in flight (the writer returning from {@link Transport#send}
     * and the completion), whether one has finished: the second to finish carries on writing.
     */
    private volatile boolean finished;
    private final Consumer<Throwable> completion = this::completed;
    private final Consumer<Closure> closing;
    private final Consumer<Throwable> failing;

    /** An outbox whose {@link Outgoing.Close} closes the transport. */
    public Outbox(Transport transport, int maxMessages, long maxBytes) {
        this(transport, maxMessages, maxBytes, transport::close, failure -> { });
    }

    /**
     * @param closing what an {@link Outgoing.Close} does once everything queued before it has been
     *                sent; called once, by the writer, after the outbox has closed
     * @param failing told of a send that failed, after the outbox has closed
     */
    public Outbox(Transport transport, int maxMessages, long maxBytes, Consumer<Closure> closing,
                  Consumer<Throwable> failing) {
        this.transport = transport;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.closing = closing;
        this.failing = failing;
    }

    /** Queues {@code message} behind those already waiting, unless the bounds or a close forbid it. */
    public Offer offer(Outgoing message) {
        if (closed) {
            return Offer.CLOSED;
        }
        int size = message.size();
        int messages = (int) QUEUED_MESSAGES.getAndAdd(this, 1) + 1;
        long bytes = (long) QUEUED_BYTES.getAndAdd(this, (long) size) + size;
        if (messages > maxMessages || bytes > maxBytes) {
            release(size);
            return Offer.FULL;
        }
        if (queue.isEmpty() && WRITING.compareAndSet(this, false, true)) {
            // Nothing waits and nobody writes: every earlier offer has been sent, so this goes now.
            if (writeFrom(message)) {
                drain();
            }
        } else {
            queue.add(message);
            drain();
        }
        return Offer.QUEUED;
    }

    /** Drops everything still queued and refuses further offers; an in-flight send completes. */
    public void close() {
        closed = true;
        queue.clear();
    }

    public boolean isClosed() {
        return closed;
    }

    public int queuedMessages() {
        return queuedMessages;
    }

    public long queuedBytes() {
        return queuedBytes;
    }

    /** Takes the writer role whenever something is queued and nobody holds it, and writes. */
    private void drain() {
        while (!queue.isEmpty() && WRITING.compareAndSet(this, false, true)) {
            if (!writeFrom(queue.poll())) {
                return;
            }
        }
    }

    /**
     * Holding the writer role: sends {@code first} (if not null), then what is queued, until the
     * queue is empty or a send is still in flight. A send that completes inside
     * {@link Transport#send} continues this loop instead of recursing, so a fast transport cannot
     * grow the stack.
     *
     * @return true when the role was released (an offer may have raced with the release: the
     *         caller looks at the queue again); false when a send is in flight and its completion
     *         carries on
     */
    private boolean writeFrom(Outgoing first) {
        Outgoing next = first;
        while (next != null) {
            if (closed) {
                queue.clear();
                break;
            }
            if (next instanceof Outgoing.Close close) {
                closed = true;
                queue.clear();
                closing.accept(close.closure());
                break;
            }
            if (!sendAndContinueHere(next)) {
                return false;
            }
            next = queue.poll();
        }
        writing = false;
        return true;
    }

    /** @return true when the send completed before returning, so the caller keeps writing */
    private boolean sendAndContinueHere(Outgoing message) {
        inFlightSize = message.size();
        finished = false;
        transport.send(message, completion);
        return (boolean) FINISHED.getAndSet(this, true);
    }

    /** The completion of the send in flight, with {@code null} on success. */
    private void completed(Throwable failure) {
        release(inFlightSize);
        if (failure != null) {
            close();
            failing.accept(failure);
        }
        if ((boolean) FINISHED.getAndSet(this, true)) {
            // completed asynchronously, after send() returned: this thread is the writer now
            if (writeFrom(queue.poll())) {
                drain();
            }
        }
    }

    private void release(int size) {
        QUEUED_MESSAGES.getAndAdd(this, -1);
        QUEUED_BYTES.getAndAdd(this, (long) -size);
    }
}
