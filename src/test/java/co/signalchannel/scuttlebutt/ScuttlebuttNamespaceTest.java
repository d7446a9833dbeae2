package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.FanOut;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.testing.FakeTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

class ScuttlebuttNamespaceTest {

    final InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));
    final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    final ScuttlebuttNamespace namespace = new ScuttlebuttNamespace("server",
            new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofDays(1)), clock), codec, clock::millis,
            FanOut.inline());

    record Member(FakeTransport transport, Connection connection) {
    }

    Member member() {
        return member(namespace);
    }

    Member member(ScuttlebuttNamespace namespace) {
        FakeTransport transport = new FakeTransport(true);
        Connection connection = new Connection("c", transport, new Connection.Limits(100_000, 1_000, 10_000_000),
                Runnable::run, clock::millis);
        namespace.join(connection);
        return new Member(transport, connection);
    }

    void receive(Member from, String text) throws Exception {
        namespace.receive(from.connection(), codec.decode(text));
    }

    @Test
    void aJoinerGetsTheDigestAndAcceptedUpdatesReachEveryoneButTheirSender() throws Exception {
        Member a = member();
        Member b = member();
        assertThat(a.transport().sentTexts()).containsExactly("{\"id\":\"server\",\"clock\":{}}\n");
        receive(a, "{\"id\":\"a\",\"clock\":{}}\n\"SYNC\"\n");
        receive(b, "{\"id\":\"b\",\"clock\":{}}\n\"SYNC\"\n");
        receive(a, "[[\"k\",1],1700000000000,\"a\"]\n");
        assertThat(b.transport().sentTexts()).last().isEqualTo("[[\"k\",1],1700000000000,\"a\"]\n");
        assertThat(a.transport().sentTexts()).noneMatch(line -> line.startsWith("[[\"k\""));
    }

    @Test
    void aRejectedUpdateGoesNowhere() throws Exception {
        Member a = member();
        Member b = member();
        receive(a, "{\"id\":\"a\",\"clock\":{}}\n\"SYNC\"\n");
        receive(b, "{\"id\":\"b\",\"clock\":{}}\n\"SYNC\"\n");
        receive(a, "[[\"k\",\"new\"],1700000000000,\"a\"]\n");
        List<String> before = b.transport().sentTexts();
        receive(a, "[[\"k\",\"old\"],1699999999000,\"x\"]\n");
        assertThat(b.transport().sentTexts()).isEqualTo(before);
    }

    @Test
    void abandonedOnlyWithoutSessionsAndWithoutMemory() throws Exception {
        Member a = member();
        receive(a, "[[\"k\",1],1700000000000,\"a\"]\n");
        namespace.leave(a.connection());
        assertThat(namespace.isAbandoned()).as("still holds k").isFalse();
        assertThat(namespace.hasNoSessions()).isTrue();
    }

    @Test
    void aLargeNamespaceForwardsOneSharedMessageToEveryOtherSessionInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            ScuttlebuttNamespace large = new ScuttlebuttNamespace("server",
                    new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofDays(1)), clock), codec,
                    clock::millis, new FanOut(pool, 2, 4));
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Member member = member(large);
                large.receive(member.connection(), codec.decode("{\"id\":\"p" + i + "\",\"clock\":{}}\n\"SYNC\"\n"));
                members.add(member);
            }
            Member writer = members.get(0);
            for (int update = 1; update <= 20; update++) {
                large.receive(writer.connection(), codec.decode("[[\"k\"," + update + "]," + (1_699_999_999_000L + update) + ",\"p0\"]\n"));
            }
            List<Outgoing> first = updates(members.get(1));
            assertThat(first).hasSize(20);
            for (Member other : members.subList(1, members.size())) {
                List<Outgoing> got = updates(other);
                assertThat(got).hasSize(20);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).as("update %d, one message for every session", i).isSameAs(first.get(i));
                }
            }
            assertThat(updates(writer)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /** What the member was sent after its digest, its history and "SYNC". */
    static List<Outgoing> updates(Member member) {
        return member.transport().sent().stream()
                .filter(message -> message instanceof Outgoing.Text text && text.text().startsWith("[[\"k\""))
                .toList();
    }
}
