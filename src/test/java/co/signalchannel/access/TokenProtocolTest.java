package co.signalchannel.access;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenProtocolTest {

    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln-_";

    @Test
    void theTokenIsFoundAmongTheValuesOfOneHeader() throws Exception {
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel, signal-channel.token." + JWT))).hasValue(JWT);
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel.token." + JWT + ",signal-channel"))).hasValue(JWT);
    }

    @Test
    void theTokenIsFoundAmongSeveralHeaders() throws Exception {
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel", "chat, signal-channel.token." + JWT, "other")))
                .hasValue(JWT);
    }

    @Test
    void withoutATokenSubprotocolThereIsNoToken() throws Exception {
        assertThat(TokenProtocol.tokenIn(List.of())).isEmpty();
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel"))).isEmpty();
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel, chat", ""))).isEmpty();
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel.tokens." + JWT, "x-signal-channel.token." + JWT))).isEmpty();
    }

    @Test
    void twoTokensAreRefusedAsInvalidEvenIfTheyAreTheSame() {
        assertThatThrownBy(() -> TokenProtocol.tokenIn(List.of("signal-channel.token.a, signal-channel.token.b")))
                .isInstanceOf(TokenRefusedException.class).hasMessage("invalid token");
        assertThatThrownBy(() -> TokenProtocol.tokenIn(List.of("signal-channel.token." + JWT, "signal-channel.token." + JWT)))
                .isInstanceOf(TokenRefusedException.class).hasMessage("invalid token");
    }

    @Test
    void anEmptyTokenIsAnOfferedTokenForTheVerifierToRefuse() throws Exception {
        assertThat(TokenProtocol.tokenIn(List.of("signal-channel, signal-channel.token."))).hasValue("");
    }
}
