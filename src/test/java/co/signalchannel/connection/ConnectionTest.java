package co.signalchannel.connection;

import co.signalchannel.testing.FakeTransport;
import co.signalchannel.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTest {

    final AtomicLong now = new AtomicLong(1_000);
    final FakeTransport transport = new FakeTransport(false);
    final List<String> received = new ArrayList<>();
    final Connection connection = new Connection("c1", transport,
            new Connection.Limits(10, 3, 1_000), Runnable::run, now::get);

    {
        connection.receiveWith(new Receiver() {
            @Override
            public void onText(String text) throws ProtocolViolation {
                if (text.equals("bad")) {
                    throw new ProtocolViolation(CloseCodes.INVALID_PAYLOAD, "bad is bad");
                }
                if (text.equals("bug")) {
                    throw new IllegalStateException("a server bug");
                }
                received.add(text);
            }

            @Override
            public void onBinary(byte[] data) throws ProtocolViolation {
                throw Receiver.binaryRefused("test");
            }
        });
    }

    @Test
    void aMessageOverTheLimitInUtf8BytesCloses1009() {
        connection.receive("0123456789");
        assertThat(received).containsExactly("0123456789");
        connection.receive("ééééé" + "é"); // 6 chars, 12 bytes
        assertThat(transport.closedWith().code()).isEqualTo(1009);
        assertThat(transport.closedWith().reason()).contains("12 bytes").contains("10 bytes");
        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void aViolationClosesWithItsCodeAndNothingMoreIsDelivered() {
        connection.receive("bad");
        assertThat(transport.closedWith()).isEqualTo(new Closure(1007, "bad is bad"));
        connection.receive("after");
        assertThat(received).isEmpty();
    }

    @Test
    void binaryRefusalIs1003() {
        connection.receive(new byte[]{1});
        assertThat(transport.closedWith().code()).isEqualTo(1003);
    }

    @Test
    void aFullOutboxClosesTheSlowSessionWith1013() {
        assertThat(connection.send("1")).isTrue();
        assertThat(connection.send("2")).isTrue();
        assertThat(connection.send("3")).isTrue();
        assertThat(connection.send("4")).isFalse();
        assertThat(transport.closedWith().code()).isEqualTo(1013);
        assertThat(transport.closedWith().reason()).startsWith("too slow");
    }

    @Test
    void endActionsRunExactlyOnceInOrderHoweverTheSessionEnds() {
        AtomicInteger first = new AtomicInteger();
        List<String> order = new ArrayList<>();
        connection.onEnd(() -> {
            first.incrementAndGet();
            order.add("first");
        });
        connection.onEnd(() -> order.add("second"));
        connection.abort(new Closure(1008, "go"));
        connection.ended();
        connection.ended();
        assertThat(first).hasValue(1);
        assertThat(order).containsExactly("first", "second");
        connection.onEnd(() -> order.add("late"));
        assertThat(order).containsExactly("first", "second", "late");
    }

    @Test
    void silenceIsMeasuredFromTheLastMessageOrPong() {
        now.addAndGet(500);
        assertThat(connection.silentFor()).isEqualTo(500);
        connection.receive("hi");
        assertThat(connection.silentFor()).isZero();
        now.addAndGet(200);
        connection.heard();
        assertThat(connection.silentFor()).isZero();
    }

    @Test
    void closeReasonsAreCutToWhatACloseFrameHolds() {
        Closure closure = new Closure(1008, "é".repeat(200));
        assertThat(closure.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(Closure.MAX_REASON_BYTES);
        assertThat(closure.reason()).endsWith("…");
        assertThat(new Closure(1000, "short").reason()).isEqualTo("short");
        String emoji = new Closure(1007, "line 1: " + "😀".repeat(40)).reason();
        assertThat(emoji).startsWith("line 1: ").endsWith("😀…");
    }

    @Test
    void aClientErrorIsLoggedInOneFineLineWithoutAStackTrace() {
        try (LogCapture log = new LogCapture()) {
            connection.receive("bad");

            assertThat(log.records()).singleElement().satisfies(record -> {
                assertThat(record.getLevel()).isEqualTo(Level.FINE);
                assertThat(record.getThrown()).isNull();
                assertThat(record.getMessage()).isEqualTo("connection c1 closed: 1007 bad is bad").doesNotContain("\n");
            });
        }
    }

    @Test
    void aServerBugCloses1011AndIsLoggedOnceWithItsStackTrace() {
        try (LogCapture log = new LogCapture()) {
            connection.receive("bug");

            assertThat(transport.closedWith()).isEqualTo(new Closure(1011, "server error (IllegalStateException)"));
            assertThat(log.records()).singleElement().satisfies(record -> {
                assertThat(record.getLevel()).isEqualTo(Level.WARNING);
                assertThat(record.getThrown()).hasMessage("a server bug");
            });
        }
    }
}
