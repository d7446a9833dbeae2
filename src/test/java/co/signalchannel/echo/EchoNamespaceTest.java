package co.signalchannel.echo;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.testing.FakeTransport;
import co.signalchannel.testing.Racing;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EchoNamespaceTest {

    record Member(FakeTransport transport, Connection connection) {
    }

    static Member member(int id) {
        FakeTransport transport = new FakeTransport(true);
        return new Member(transport, new Connection("m" + id, transport,
                new Connection.Limits(65_536, 100_000, 100_000_000), Runnable::run, System::currentTimeMillis));
    }

    /** {@code count} new members, joined to the namespace in order. */
    static List<Member> joined(EchoNamespace namespace, int count) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Member member = member(i);
            namespace.join(member.connection());
            members.add(member);
        }
        return members;
    }

    @Test
    void joinAndLeaveTakeEffectOnce() {
        EchoNamespace namespace = new EchoNamespace(2, 1);
        Member a = member(1);
        assertThat(namespace.join(a.connection())).isTrue();
        assertThat(namespace.join(a.connection())).isFalse();
        assertThat(namespace.sessions()).isEqualTo(1);
        assertThat(namespace.leave(a.connection())).isTrue();
        assertThat(namespace.leave(a.connection())).isFalse();
        assertThat(namespace.sessions()).isZero();
    }

    @Test
    void everyMemberSeesEveryMessageInOneOrderWhileSendersRaceAcrossLanes() throws Exception {
        EchoNamespace namespace = new EchoNamespace(3, 10);
        List<Member> members = joined(namespace, 300);
        int senders = 4;
        int perSender = 300;
        Racing.race(senders, sender -> {
            for (int i = 0; i < perSender; i++) {
                namespace.broadcast(new Outgoing.Text("s" + sender + ":" + i));
            }
        });
        List<String> order = members.get(0).transport().sentTexts();
        assertThat(order).hasSize(senders * perSender);
        for (Member member : members) {
            assertThat(member.transport().sentTexts()).as(member.connection().id()).isEqualTo(order);
        }
        for (int s = 0; s < senders; s++) {
            String prefix = "s" + s + ":";
            assertThat(order.stream().filter(text -> text.startsWith(prefix)).toList())
                    .as("sender %d's messages in the order sent", s)
                    .isEqualTo(java.util.stream.IntStream.range(0, perSender).mapToObj(i -> prefix + i).toList());
        }
    }

    @Test
    void oneMessageObjectReachesEveryMemberSoItsFrameIsBuiltOnce() {
        EchoNamespace namespace = new EchoNamespace(2, 4);
        List<Member> members = joined(namespace, 20);
        Outgoing.Text message = new Outgoing.Text("{\"candidate\":\"...\"}");
        namespace.broadcast(message);
        for (Member member : members) {
            assertThat(member.transport().sent()).singleElement().isSameAs(message);
        }
    }

    @Test
    void aMemberThatLeftGetsNothingMoreAndTheOthersGoOn() {
        EchoNamespace namespace = new EchoNamespace(2, 2);
        List<Member> members = joined(namespace, 10);
        namespace.broadcast(new Outgoing.Text("before"));
        Member leaver = members.get(7);
        namespace.leave(leaver.connection());
        namespace.broadcast(new Outgoing.Text("after"));
        assertThat(leaver.transport().sentTexts()).containsExactly("before");
        for (Member member : members) {
            if (member != leaver) {
                assertThat(member.transport().sentTexts()).containsExactly("before", "after");
            }
        }
    }

    @Test
    void aJoinerGetsOnlyWhatIsBroadcastAfterItJoined() {
        EchoNamespace namespace = new EchoNamespace(2, 1);
        Member first = member(1);
        namespace.join(first.connection());
        namespace.broadcast(new Outgoing.Text("one"));
        Member second = member(2);
        namespace.join(second.connection());
        namespace.broadcast(new Outgoing.Text("two"));
        assertThat(first.transport().sentTexts()).containsExactly("one", "two");
        assertThat(second.transport().sentTexts()).containsExactly("two");
    }
}
