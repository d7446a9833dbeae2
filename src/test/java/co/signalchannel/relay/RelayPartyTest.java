package co.signalchannel.relay;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.json.JsonTextReader;
import co.signalchannel.testing.FakeTransport;
import co.signalchannel.testing.LogCapture;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayPartyTest {

    final RelayPairings<Partner> claims = new RelayPairings<>();
    final Rendezvous pairings = Rendezvous.in(claims);
    final RelayParty.Limits limits = new RelayParty.Limits(1_000, 1_000_000);

    record Side(FakeTransport transport, Connection connection, RelayParty party) {
    }

    Side side() {
        return side(1_000);
    }

    Side side(long maxMessageBytes) {
        FakeTransport transport = new FakeTransport(true);
        Connection connection = new Connection("c", transport, new Connection.Limits(maxMessageBytes, 100_000, 100_000_000),
                Runnable::run, System::currentTimeMillis);
        RelayParty party = new RelayParty(connection, pairings, limits, new JsonTextReader(64));
        connection.receiveWith(party);
        connection.onEnd(party::ended);
        return new Side(transport, connection, party);
    }

    @Test
    void bufferedMessagesFollowOpenAndPrecedeLaterOnes() throws Exception {
        Side a = side();
        Side b = side();
        a.party().onText("{\"local\":\"a\",\"remote\":\"b\"}");
        a.party().onText("early");
        a.party().onBinary(new byte[]{7});
        b.party().onText("{\"local\":\"b\",\"remote\":\"a\"}");
        a.party().onText("later");
        assertThat(b.transport().sent()).hasSize(4);
        assertThat(b.transport().sent().get(0)).isEqualTo(new Outgoing.Text(RelayParty.OPEN));
        assertThat(b.transport().sentTexts()).containsExactly(RelayParty.OPEN, "early", "later");
        assertThat(b.transport().sent().get(2)).isInstanceOf(Outgoing.Binary.class);
        assertThat(a.transport().sentTexts()).containsExactly(RelayParty.OPEN);
    }

    @RepeatedTest(20)
    void noMessageOvertakesTheBufferWhenPairingRacesWithSending() throws Exception {
        Side a = side();
        Side b = side();
        a.party().onText("{\"local\":\"a\",\"remote\":\"b\"}");
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> IntStream.range(0, 500).forEach(i -> {
            try {
                a.party().onText("m" + i);
            } catch (ProtocolViolation e) {
                throw new AssertionError(e);
            }
        }));
        b.party().onText("{\"local\":\"b\",\"remote\":\"a\"}");
        sending.join();
        List<String> received = b.transport().sentTexts();
        assertThat(received.get(0)).isEqualTo(RelayParty.OPEN);
        assertThat(received.subList(1, received.size()))
                .isEqualTo(IntStream.range(0, 500).mapToObj(i -> "m" + i).toList());
    }

    @Test
    void whenOneSideEndsThePartnerIsClosedNormally() throws Exception {
        Side a = side();
        Side b = side();
        a.party().onText("{\"local\":\"a\",\"remote\":\"b\"}");
        b.party().onText("{\"local\":\"b\",\"remote\":\"a\"}");
        a.connection().ended();
        assertThat(b.transport().closedWith().code()).isEqualTo(1000);
        b.connection().ended();
        assertThat(claims.held()).isZero();
    }

    /** Regression (issue 10): in one case of fifty, tokens of a pair that had just closed were refused. */
    @Test
    void aClosedPartnersClaimIsFreeBeforeItsClientSeesTheClose() throws Exception {
        Side a = side();
        Side b = side();
        a.party().onText("{\"local\":\"a\",\"remote\":\"b\"}");
        b.party().onText("{\"local\":\"b\",\"remote\":\"a\"}");
        a.connection().ended();
        assertThat(b.transport().closedWith()).isNotNull(); // b's client sees the close now...
        assertThat(claims.held()).isZero(); // ...and its session no longer holds the claim
        Side again = side();
        again.party().onText("{\"local\":\"b\",\"remote\":\"a\"}");
        assertThat(again.transport().closedWith()).isNull();
        assertThat(claims.held()).isEqualTo(1);
    }

    @Test
    void theBufferIsBounded() throws Exception {
        Side a = side();
        RelayParty small = new RelayParty(a.connection(), pairings, new RelayParty.Limits(2, 1_000), new JsonTextReader(64));
        small.onText("{\"local\":\"s\",\"remote\":\"t\"}");
        small.onText("1");
        small.onText("2");
        assertThatThrownBy(() -> small.onText("3"))
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1008));
    }

    @Test
    void aDeeplyNestedHeaderCloses1007AndLogsNoStackTrace() {
        // Was: a 2 KB header closed with 1011 and logged its stack trace at WARNING, ~75 KB.
        Side a = side(65_536);
        String deep = "[".repeat(1_100) + "]".repeat(1_100);
        try (LogCapture log = new LogCapture()) {
            a.connection().receive("{\"local\":\"a\",\"remote\":\"b\",\"x\":" + deep + "}");

            assertThat(a.transport().closedWith().code()).isEqualTo(1007);
            assertThat(log.records()).hasSizeLessThanOrEqualTo(1).allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }
}
