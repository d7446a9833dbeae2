package co.signalchannel.connection;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A session's bounded queue of outgoing messages, drained by one writer at a time.
 *
 * <p>Guarantees: {@link #offer} never blocks and may be called from any thread; messages are sent
 * in the order their offers completed; at most one {@link Transport#send} is in flight, so
 * containers that refuse concurrent sends on one session (Tomcat) are never given two. When the
 * queue would exceed its message or byte bound the offer is refused and nothing is queued: the
 * caller decides what a slow session deserves.
 */
public final class Outbox {

    /** What became of an offer. */
    public enum Offer { QUEUED, FULL, CLOSED }

    private final Transport transport;
    private final int maxMessages;
    private final long maxBytes;

    private final Queue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile boolean closed;

    public Outbox(Transport transport, int maxMessages, long maxBytes) {
        this.transport = transport;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** Queues {@code message} behind those already waiting, unless the bounds or a close forbid it. */
    public Offer offer(Outgoing message) {
        if (closed) {
            return Offer.CLOSED;
        }
        int size = message.size();
        int messages = queuedMessages.incrementAndGet();
        long bytes = queuedBytes.addAndGet(size);
        if (messages > maxMessages || bytes > maxBytes) {
            release(size);
            return Offer.FULL;
        }
        queue.add(message);
        drain();
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
        return queuedMessages.get();
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Sends queued messages until the queue is empty or a send is still in flight. A send that
     * completes inside {@link Transport#send} continues this loop instead of recursing, so a fast
     * transport cannot grow the stack.
     */
    private void drain() {
        while (writing.compareAndSet(false, true)) {
            Outgoing next;
            while ((next = queue.poll()) != null) {
                if (closed) {
                    queue.clear();
                    break;
                }
                if (next instanceof Outgoing.Close close) {
                    closed = true;
                    queue.clear();
                    transport.close(close.closure());
                    break;
                }
                if (!sendAndContinueHere(next)) {
                    return; // the completion callback carries on draining
                }
            }
            writing.set(false);
            if (queue.isEmpty()) {
                return;
            }
            // an offer raced with the release of the writer role: take it back and go on
        }
    }

    /** @return true when the send completed before returning, so the caller keeps draining */
    private boolean sendAndContinueHere(Outgoing message) {
        AtomicBoolean secondToFinish = new AtomicBoolean();
        transport.send(message, failure -> {
            release(message.size());
            if (failure != null) {
                close();
            }
            if (secondToFinish.getAndSet(true)) {
                // completed asynchronously, after send() returned: this thread is the writer now
                writing.set(false);
                drain();
            }
        });
        return secondToFinish.getAndSet(true);
    }

    private void release(int size) {
        queuedMessages.decrementAndGet();
        queuedBytes.addAndGet(-size);
    }
}
