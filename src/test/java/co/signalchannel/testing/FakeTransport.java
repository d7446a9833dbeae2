package co.signalchannel.testing;

import co.signalchannel.connection.Closure;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.Transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A transport whose sends complete only when the test says so (or at once, if asked), recording
 * what was sent and whether two sends ever overlapped.
 */
public final class FakeTransport implements Transport {

    private volatile boolean completeAtOnce;
    private final List<Outgoing> sent = new ArrayList<>();
    private final Deque<Consumer<Throwable>> inFlight = new ArrayDeque<>();
    private Closure closedWith;
    private boolean overlapped;

    public FakeTransport(boolean completeAtOnce) {
        this.completeAtOnce = completeAtOnce;
    }

    @Override
    public synchronized void send(Outgoing message, Consumer<Throwable> done) {
        if (!inFlight.isEmpty()) {
            overlapped = true;
        }
        sent.add(message);
        if (completeAtOnce) {
            done.accept(null);
        } else {
            inFlight.add(done);
        }
    }

    /** From now on, completes every send before {@code send} returns. */
    public void completeAtOnce() {
        completeAtOnce = true;
    }

    /** Completes the oldest send in flight, successfully or with {@code failure}. */
    public void complete(Throwable failure) {
        Consumer<Throwable> done;
        synchronized (this) {
            done = inFlight.poll();
        }
        if (done == null) {
            throw new IllegalStateException("no send in flight");
        }
        done.accept(failure);
    }

    @Override
    public synchronized void close(Closure closure) {
        closedWith = closure;
    }

    public synchronized List<Outgoing> sent() {
        return List.copyOf(sent);
    }

    public synchronized List<String> sentTexts() {
        return sent.stream().filter(Outgoing.Text.class::isInstance).map(m -> ((Outgoing.Text) m).text()).toList();
    }

    public synchronized int inFlight() {
        return inFlight.size();
    }

    public synchronized Closure closedWith() {
        return closedWith;
    }

    public synchronized boolean overlapped() {
        return overlapped;
    }
}
