package co.signalchannel.ice;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TurnCredentialsTest {

    final TurnCredentials turn = new TurnCredentials(List.of("turn:127.0.0.1:3478"), "north", Duration.ofHours(1));

    @Test
    void theUsernameIsTheExpiryAndTheIdAndThePasswordWhatCoturnComputes() {
        TurnCredentials.Credential credential = turn.issue("alice", Instant.ofEpochSecond(1_700_000_000L));

        assertThat(credential.username()).isEqualTo("1700003600:alice");
        // base64(HMAC-SHA1("north", "1700003600:alice")), computed apart with Python's hmac module
        assertThat(credential.credential()).isEqualTo("wjwSXO2ch1B6VaLTLMy2Avn5O9o=");
        assertThat(credential.expires()).isEqualTo(Instant.ofEpochSecond(1_700_003_600L));
        assertThat(credential.urls()).containsExactly("turn:127.0.0.1:3478");
    }

    @Test
    void anotherSecretMakesAnotherPassword() {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        TurnCredentials other = new TurnCredentials(turn.urls(), "south", turn.lifetime());

        assertThat(other.issue("alice", now).credential()).isNotEqualTo(turn.issue("alice", now).credential());
    }

    @Test
    void idsThatCoturnWouldMisreadAndIncompleteSettingsAreRefused() {
        assertThatThrownBy(() -> turn.issue("a:b", Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TurnCredentials(List.of(), "s", Duration.ofHours(1)))
                .hasMessageContaining("TURN URL");
        assertThatThrownBy(() -> new TurnCredentials(List.of("turn:x"), "", Duration.ofHours(1)))
                .hasMessageContaining("secret");
    }
}
