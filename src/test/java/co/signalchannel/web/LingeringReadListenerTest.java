package co.signalchannel.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static co.signalchannel.web.FrameSizeGuardTest.concat;
import static co.signalchannel.web.FrameSizeGuardTest.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guarded connection's input as a servlet container and Tyrus drive it, both played here: the
 * container calls {@code onDataAvailable} again only after its {@code isReady()} said false, and
 * Tyrus reads until the stream it was given is no longer ready.
 */
class LingeringReadListenerTest {

    static final int LIMIT = 100;

    /** The container's input stream of an upgraded connection, fed by the test. */
    static final class ContainerInput extends ServletInputStream {
        private final Deque<byte[]> chunks = new ArrayDeque<>();
        private boolean ended;
        private boolean endRead;
        private boolean owesCallback = true;
        private ReadListener listener;
        int reads;

        /** Bytes arrive from the client; the container calls back if it owes a call. */
        void arrive(byte[] bytes) throws IOException {
            chunks.add(bytes);
            callBackIfOwed();
        }

        /** The client ends its side of the connection. */
        void end() throws IOException {
            ended = true;
            callBackIfOwed();
        }

        private void callBackIfOwed() throws IOException {
            if (owesCallback && listener != null) {
                owesCallback = false;
                listener.onDataAvailable();
            }
        }

        @Override
        public boolean isReady() {
            boolean ready = !chunks.isEmpty() || (ended && !endRead);
            owesCallback = !ready;
            return ready;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) {
            reads++;
            byte[] chunk = chunks.poll();
            if (chunk == null) {
                endRead = ended;
                return ended ? -1 : 0;
            }
            int count = Math.min(length, chunk.length);
            System.arraycopy(chunk, 0, bytes, offset, count);
            if (count < chunk.length) {
                byte[] rest = new byte[chunk.length - count];
                System.arraycopy(chunk, count, rest, 0, rest.length);
                chunks.addFirst(rest);
            }
            return count;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isFinished() {
            return endRead;
        }

        @Override
        public void setReadListener(ReadListener readListener) {
            listener = readListener;
        }
    }

    /** Reads as Tyrus' servlet handler does: 16 KiB at a time while the stream is ready. */
    final class Implementation implements ReadListener {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<String> ends = new ArrayList<>();
        int callbacks;

        @Override
        public void onDataAvailable() throws IOException {
            callbacks++;
            do {
                byte[] buffer = new byte[16_384];
                int read = input.read(buffer, 0, buffer.length);
                if (read > 0) {
                    received.write(buffer, 0, read);
                }
            } while (input.isReady());
        }

        @Override
        public void onAllDataRead() {
            ends.add("all read");
        }

        @Override
        public void onError(Throwable failure) {
            ends.add("error");
        }
    }

    final ContainerInput container = new ContainerInput();
    final Implementation tyrus = new Implementation();
    final List<String> refusals = new ArrayList<>();
    final List<Runnable> timeouts = new ArrayList<>();
    int closes;
    final LingeringClose linger = new LingeringClose(Duration.ofSeconds(5), 1_000_000,
            (delay, task) -> timeouts.add(task), () -> closes++);
    final FrameLimitInputStream input = new FrameLimitInputStream(container, new FrameSizeGuard(LIMIT),
            reason -> {
                refusals.add(reason);
                linger.closeRequested(); // Tyrus closes the session, sends its close frame and closes the connection
            },
            listener -> new LingeringReadListener(listener, this.input, linger));

    LingeringReadListenerTest() {
        input.setReadListener(tyrus);
    }

    @Test
    void framesBeforeARefusalReachTheImplementationAndNothingAfterIt() throws IOException {
        byte[] before = frame(1, true, 5, 5, 'a');
        container.arrive(concat(before, frame(2, true, 1_000_000, 3_000, 'x')));
        container.arrive(new byte[50_000]);

        assertThat(tyrus.received.toByteArray()).isEqualTo(before);
        assertThat(refusals).containsExactly("frame of 1000000 bytes is over the message limit of 100 bytes");
        assertThat(tyrus.callbacks).isEqualTo(1);
        assertThat(closes).as("the client is still sending").isZero();

        container.arrive(concat(new byte[1_000_000 - 53_000], frame(1, true, 5, 5, 'b')));

        assertThat(tyrus.callbacks).isEqualTo(1);
        assertThat(tyrus.received.toByteArray()).isEqualTo(before);
        assertThat(closes).isZero();
    }

    @Test
    void theRefusedPayloadIsReadAsItComesAndTheConnectionClosedOnceTheClientsCloseFrameHas() throws IOException {
        container.arrive(frame(2, true, 300_000, 0, 0));
        assertThat(refusals).hasSize(1);

        for (int i = 0; i < 30; i++) {
            container.arrive(new byte[10_000]);
            assertThat(container.chunks).as("everything at hand is read, so the container calls again").isEmpty();
        }
        assertThat(closes).isZero();

        byte[] close = frame(8, true, 2, 2, 0);
        container.arrive(new byte[]{close[0], close[1]});
        assertThat(closes).as("half a close frame").isZero();
        container.arrive(java.util.Arrays.copyOfRange(close, 2, close.length));

        assertThat(closes).isEqualTo(1);
        assertThat(tyrus.callbacks).isEqualTo(1);
        assertThat(tyrus.received.size()).isZero();
    }

    @Test
    void theEndOfTheClientsInputAfterARefusalClosesTheConnectionWithoutTheImplementation() throws IOException {
        container.arrive(frame(2, true, 300_000, 1_000, 'x'));
        container.end();

        assertThat(closes).isEqualTo(1);
        assertThat(tyrus.ends).isEmpty();
    }

    @Test
    void anErrorAfterARefusalClosesTheConnectionWithoutTheImplementation() throws IOException {
        container.arrive(frame(2, true, 300_000, 1_000, 'x'));
        container.listener.onError(new IOException("connection reset"));

        assertThat(closes).isEqualTo(1);
        assertThat(tyrus.ends).isEmpty();
    }

    @Test
    void aClientThatStopsSendingIsClosedOnAfterTheTimeoutAndNotReadAgain() throws IOException {
        container.arrive(frame(2, true, 300_000, 1_000, 'x'));
        assertThat(timeouts).hasSize(1);

        timeouts.get(0).run();
        assertThat(closes).isEqualTo(1);

        int reads = container.reads;
        container.listener.onDataAvailable();
        assertThat(container.reads).isEqualTo(reads);
    }

    @Test
    void withoutARefusalEverythingReachesTheImplementation() throws IOException {
        byte[] frames = concat(frame(1, true, 5, 5, 'a'), frame(8, true, 2, 2, 0));
        container.arrive(frames);
        container.listener.onAllDataRead();
        container.listener.onError(new IOException("reset"));

        assertThat(tyrus.received.toByteArray()).isEqualTo(frames);
        assertThat(tyrus.ends).containsExactly("all read", "error");
        assertThat(timeouts).isEmpty();
        assertThat(closes).isZero();
    }
}
