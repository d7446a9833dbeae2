package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.testing.FakeTransport;
import co.signalchannel.testing.Racing;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ScuttlebuttNamespaceTest {

    final InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));
    final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    final ScuttlebuttNamespace namespace = new ScuttlebuttNamespace("server",
            new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofDays(1)), clock), codec, clock::millis,
            Integer.MAX_VALUE);

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
    void anUpdateIsForwardedWithItsNumbersAsWritten() throws Exception {
        Member a = member();
        Member b = member();
        receive(a, "{\"id\":\"a\",\"clock\":{}}\n\"SYNC\"\n");
        receive(b, "{\"id\":\"b\",\"clock\":{}}\n\"SYNC\"\n");
        String line = "[[\"k\",[-0,1e400,{\"x\":12.50}]],1.7e12,\"a\"]\n";

        receive(a, line);

        assertThat(b.transport().sentTexts()).last().isEqualTo(line);
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
    void aLargeNamespaceForwardsOneSharedMessageToEveryOtherSessionInOneOrderWhileWritersRace() throws Exception {
        ScuttlebuttNamespace large = new ScuttlebuttNamespace("server",
                new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofDays(1)), clock), codec,
                clock::millis, 4);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Member member = member(large);
            large.receive(member.connection(), codec.decode("{\"id\":\"p" + i + "\",\"clock\":{}}\n\"SYNC\"\n"));
            members.add(member);
        }
        int writers = 4;
        int perWriter = 50;
        Racing.race(writers, w -> {
            String source = "p" + w;
            for (int update = 1; update <= perWriter; update++) {
                large.receive(members.get(w).connection(), codec.decode("[[\"k" + source + "\"," + update + "],"
                        + (1_699_999_999_000L + update) + ",\"" + source + "\"]\n"));
            }
        });
        List<Outgoing> order = updates(members.get(writers));
        assertThat(order).hasSize(writers * perWriter);
        for (int w = 0; w < writers; w++) {
            String prefix = "[[\"kp" + w + "\",";
            String source = ",\"p" + w + "\"]\n";
            assertThat(texts(order).stream().filter(text -> text.startsWith(prefix)).toList())
                    .as("writer %d's updates, in the order written", w)
                    .isEqualTo(IntStream.rangeClosed(1, perWriter)
                            .mapToObj(update -> prefix + update + "]," + (1_699_999_999_000L + update) + source).toList());
        }
        for (Member other : members.subList(writers, members.size())) {
            List<Outgoing> got = updates(other);
            assertThat(got).hasSize(order.size());
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i)).as("update %d: one message for every session, in one order", i).isSameAs(order.get(i));
            }
        }
        for (int w = 0; w < writers; w++) {
            String ownSource = ",\"p" + w + "\"]\n";
            assertThat(texts(updates(members.get(w)))).as("writer %d gets the others' updates only", w)
                    .hasSize((writers - 1) * perWriter)
                    .noneMatch(text -> text.endsWith(ownSource));
        }
    }

    static List<String> texts(List<Outgoing> messages) {
        return messages.stream().map(message -> ((Outgoing.Text) message).text()).toList();
    }

    /** What the member was sent after its digest, its history and "SYNC". */
    static List<Outgoing> updates(Member member) {
        return member.transport().sent().stream()
                .filter(message -> message instanceof Outgoing.Text text && text.text().startsWith("[[\"k"))
                .toList();
    }
}
