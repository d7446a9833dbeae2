package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Connection;
import co.signalchannel.testing.FakeTransport;
import co.signalchannel.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a client sees, and what the server logs, when a scuttlebutt session sends something wrong. */
class ScuttlebuttSessionTest {

    final InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));
    final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    final ScuttlebuttNamespace namespace = new ScuttlebuttNamespace("server",
            new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofDays(1)), clock), codec, clock::millis,
            Integer.MAX_VALUE);
    final FakeTransport transport = new FakeTransport(true);
    final Connection connection = new Connection("c", transport, new Connection.Limits(100_000, 1_000, 10_000_000),
            Runnable::run, clock::millis);

    {
        namespace.join(connection);
        connection.receiveWith(new ScuttlebuttSession(connection, namespace, codec));
    }

    @Test
    void aDeeplyNestedValueCloses1007NamingTheLimitAndLogsNoStackTrace() {
        // Was: Parsson's own depth limit threw a RuntimeException, closing with 1011 and logging ~75 KB.
        String deep = "[".repeat(1_000) + "]".repeat(1_000);
        try (LogCapture log = new LogCapture()) {
            connection.receive("[[\"k\"," + deep + "],1700000000000,\"s\"]\n");

            assertThat(transport.closedWith().code()).isEqualTo(1007);
            assertThat(transport.closedWith().reason()).startsWith("line 1: ").contains("64");
            assertThat(log.records()).hasSizeLessThanOrEqualTo(1).allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e9999999999", "-1E-9999999999"})
    void aValueNoJsonParserCanConvertIsKeptNotAServerError(String number) {
        // Was: Parsson's BigDecimal conversion threw NumberFormatException, closing with 1011.
        try (LogCapture log = new LogCapture()) {
            connection.receive("[[\"k\"," + number + "],1700000000000,\"s\"]\n");

            assertThat(transport.closedWith()).isNull();
            assertThat(log.records()).allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }

    @Test
    void aValueOfManyDigitsIsKeptNotAServerError() {
        // Was: Parsson refuses to make a BigDecimal of more than 1,100 characters, closing with 1011.
        connection.receive("[[\"k\"," + "9".repeat(5_000) + "],1700000000000,\"s\"]\n");

        assertThat(transport.closedWith()).isNull();
    }

    static Stream<String> timestampsNoParserCanConvert() {
        return Stream.of("1e9999999999", "1" + "0".repeat(5_000));
    }

    @ParameterizedTest
    @MethodSource("timestampsNoParserCanConvert")
    void aTimestampNoParserCanConvertCloses1007(String ts) {
        try (LogCapture log = new LogCapture()) {
            connection.receive("[[\"k\",1]," + ts + ",\"s\"]\n");

            assertThat(transport.closedWith().code()).isEqualTo(1007);
            assertThat(transport.closedWith().reason()).contains("timestamp");
            assertThat(log.records()).allSatisfy(r -> assertThat(r.getThrown()).isNull());
        }
    }

    @Test
    void aDigestClockEntryNoParserCanConvertCloses1007() {
        connection.receive("{\"id\":\"r\",\"clock\":{\"s\":1e9999999999}}\n");

        assertThat(transport.closedWith().code()).isEqualTo(1007);
    }
}
