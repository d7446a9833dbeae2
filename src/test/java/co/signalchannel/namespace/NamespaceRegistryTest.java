package co.signalchannel.namespace;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.testing.FakeTransport;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamespaceRegistryTest {

    static final class Members implements Namespace {
        final Set<Connection> members = ConcurrentHashMap.newKeySet();

        @Override
        public boolean join(Connection connection) {
            return members.add(connection);
        }

        @Override
        public boolean leave(Connection connection) {
            return members.remove(connection);
        }

        @Override
        public int sessions() {
            return members.size();
        }
    }

    final NamespaceRegistry<Members> registry = new NamespaceRegistry<>("test", name -> new Members(), 8, 3);

    static Connection connection() {
        return new Connection("c", new FakeTransport(true), new Connection.Limits(100, 10, 1_000),
                Runnable::run, System::currentTimeMillis);
    }

    @Test
    void createdOnFirstUseAndDroppedWithItsLastSession() throws Exception {
        Connection a = connection();
        Connection b = connection();
        Members room = registry.join("room", a);
        assertThat(registry.join("room", b)).isSameAs(room);
        assertThat(registry.size()).isEqualTo(1);
        assertThat(registry.sessions("room")).isEqualTo(2);
        a.ended();
        assertThat(registry.size()).isEqualTo(1);
        b.ended();
        assertThat(registry.size()).isZero();
        assertThat(registry.sessions("room")).isZero();
    }

    @Test
    void leavingTwiceChangesNothingTheSecondTime() throws Exception {
        Connection a = connection();
        registry.join("room", a);
        registry.join("room", connection());
        assertThat(registry.leave("room", a)).isTrue();
        assertThat(registry.leave("room", a)).isFalse();
        assertThat(registry.sessions("room")).isEqualTo(1);
    }

    @Test
    void namesAreCountedInCharactersNotBytes() throws Exception {
        registry.join("会议室会议室会议", connection()); // 8 characters, 24 UTF-8 bytes
        assertThatThrownBy(() -> registry.join("123456789", connection()))
                .isInstanceOf(ProtocolViolation.class)
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1008))
                .hasMessageContaining("9 characters").hasMessageContaining("1 to 8");
        assertThatThrownBy(() -> registry.join("", connection())).isInstanceOf(ProtocolViolation.class);
    }

    @Test
    void namesTheRuleForbidsAreRefusedWith1008AndCreateNothing() {
        for (String name : new String[]{"..", "a/b", "a\u0000b"}) {
            assertThatThrownBy(() -> registry.join(name, connection()))
                    .isInstanceOf(ProtocolViolation.class)
                    .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1008))
                    .hasMessageStartingWith("test: a namespace name must not");
        }
        assertThat(registry.size()).isZero();
    }

    @Test
    void aFullNamespaceRefusesWith1013AndKeepsItsMembers() throws Exception {
        for (int i = 0; i < 3; i++) {
            registry.join("full", connection());
        }
        assertThatThrownBy(() -> registry.join("full", connection()))
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1013));
        assertThat(registry.sessions("full")).isEqualTo(3);
    }

    @Test
    void droppingLowestFirstSkipsWhatMayNotBeDroppedAndStopsWhenEnoughAreGone() throws Exception {
        Map<Members, Long> rank = new HashMap<>();
        for (String name : List.of("d", "a", "c", "b", "e")) {
            rank.put(registry.join(name, connection()), (long) name.charAt(0));
        }
        Members pinned = registry.join("b", connection());

        int dropped = registry.dropLowestWhile(rank::get, namespace -> namespace != pinned, () -> registry.size() > 2);

        assertThat(dropped).isEqualTo(3);
        assertThat(List.of("a", "b", "c", "d", "e")).filteredOn(registry::contains).containsExactly("b", "e");
    }

    @Test
    void racingJoinsAndLeavesNeverLoseAMember() throws Exception {
        NamespaceRegistry<Members> big = new NamespaceRegistry<>("test", name -> new Members(), 8, 1_000_000);
        Connection anchor = connection();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                try {
                    for (int i = 0; i < 5_000; i++) {
                        Connection c = connection();
                        big.join("churn", c);
                        c.ended();
                    }
                } catch (ProtocolViolation e) {
                    throw new AssertionError(e);
                } finally {
                    done.countDown();
                }
            });
        }
        big.join("churn", anchor);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(big.sessions("churn")).isEqualTo(1);
        anchor.ended();
        assertThat(big.size()).isZero();
    }
}
