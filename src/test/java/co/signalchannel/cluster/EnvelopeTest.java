package co.signalchannel.cluster;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeTest {

    @Property
    void decodesWhatItEncoded(@ForAll byte kind, @ForAll String address, @ForAll byte[] payload) {
        Envelope envelope = new Envelope(kind, address, payload);

        assertThat(Envelope.decode(envelope.encode())).isEqualTo(envelope);
    }

    @Test
    void textTravelsAsUtf8() {
        Envelope envelope = Envelope.of((byte) 'T', "node-1/42", "héllo 👋");

        assertThat(Envelope.decode(envelope.encode()).text()).isEqualTo("héllo 👋");
    }

    @Test
    void bytesThatAreNoEnvelopeAreRefused() {
        assertThatThrownBy(() -> Envelope.decode(new byte[] {'T', 0})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Envelope.decode(new byte[] {'T', 0, 9, 'a'}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("address of 9 bytes");
    }
}
