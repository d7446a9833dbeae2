package co.signalchannel.relay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RelayPairingsTest {

    final RelayPairings<String> pairings = new RelayPairings<>();
    final RelayHeader ab = new RelayHeader("a", "b");
    final RelayHeader ba = ab.mirror();

    @Test
    void theMirrorClaimPairsWithTheWaitingOne() {
        assertThat(pairings.claim("alice", ab)).isEqualTo(new RelayPairings.Claim.Waiting<String>());
        assertThat(pairings.claim("bob", ba)).isEqualTo(new RelayPairings.Claim.Paired<>("alice"));
        assertThat(pairings.waiting()).isZero();
        assertThat(pairings.held()).isEqualTo(2);
    }

    @Test
    void aHeldClaimIsRefusedWhetherWaitingOrPaired() {
        pairings.claim("alice", ab);
        assertThat(pairings.claim("mallory", ab)).isInstanceOf(RelayPairings.Claim.Refused.class);
        pairings.claim("bob", ba);
        assertThat(pairings.claim("mallory", ab)).isInstanceOf(RelayPairings.Claim.Refused.class);
        assertThat(pairings.claim("mallory", ba)).isInstanceOf(RelayPairings.Claim.Refused.class);
    }

    @Test
    void releasedClaimsCanBeClaimedAgain() {
        pairings.claim("alice", ab);
        pairings.claim("bob", ba);
        pairings.release("alice", ab);
        pairings.release("bob", ba);
        assertThat(pairings.held()).isZero();
        assertThat(pairings.claim("alice2", ab)).isInstanceOf(RelayPairings.Claim.Waiting.class);
    }

    @Test
    void aReleaseByAnotherPartyFreesNothing() {
        pairings.claim("alice", ab);
        pairings.release("mallory", ab);
        assertThat(pairings.claim("bob", ba)).isEqualTo(new RelayPairings.Claim.Paired<>("alice"));
    }

    @Test
    void aWaitingClaimThatLeftIsNoLongerAPartner() {
        pairings.claim("alice", ab);
        pairings.release("alice", ab);
        assertThat(pairings.claim("bob", ba)).isInstanceOf(RelayPairings.Claim.Waiting.class);
    }
}
