package co.signalchannel.connection;

import co.signalchannel.testing.FakeTransport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatTest {

    final AtomicLong now = new AtomicLong(1_000_000);

    record Session(FakeTransport transport, Connection connection) {
        long pings() {
            return transport.sent().stream().filter(Outgoing.Ping.class::isInstance).count();
        }
    }

    Session session(int id) {
        FakeTransport transport = new FakeTransport(true);
        return new Session(transport, new Connection("s" + id, transport, new Connection.Limits(1_000, 100, 100_000),
                Runnable::run, now::get));
    }

    @Test
    void everySessionIsPingedOncePerIntervalAndTheStepsShareThePings() {
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            sessions.add(session(i));
        }
        List<Connection> open = sessions.stream().map(Session::connection).toList();
        Heartbeat heartbeat = new Heartbeat(60_000);
        long mostInOneStep = 0;
        long before = 0;
        for (int step = 0; step < Heartbeat.STEPS; step++) {
            heartbeat.step(open);
            long total = sessions.stream().mapToLong(Session::pings).sum();
            mostInOneStep = Math.max(mostInOneStep, total - before);
            before = total;
        }
        assertThat(sessions).allSatisfy(session -> assertThat(session.pings()).isEqualTo(1));
        assertThat(mostInOneStep).as("pings in the busiest step, of 2,000 sessions").isLessThan(250);
        heartbeat.step(open);
        heartbeat.step(open);
        assertThat(sessions.stream().mapToLong(Session::pings).sum()).as("a second interval begins")
                .isGreaterThan(2_000).isLessThan(2_000 + 250);
    }

    @Test
    void aSessionSilentBeyondTheTimeoutIsClosedAsDeadAtTheNextStep() {
        Session quiet = session(1);
        Heartbeat heartbeat = new Heartbeat(5_000);
        now.addAndGet(4_000);
        heartbeat.step(List.of(quiet.connection()));
        assertThat(quiet.connection().isOpen()).isTrue();
        now.addAndGet(1_001);
        heartbeat.step(List.of(quiet.connection()));
        assertThat(quiet.connection().isOpen()).isFalse();
        assertThat(quiet.transport().closedWith().code()).isEqualTo(CloseCodes.GOING_AWAY);
        assertThat(quiet.transport().closedWith().reason()).contains("no answer to pings").contains("5000 ms");
    }
}
