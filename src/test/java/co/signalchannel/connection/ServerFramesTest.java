package co.signalchannel.connection;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The frames a server sends, against the examples of RFC 6455 §5.7 and the length boundaries. */
class ServerFramesTest {

    @Test
    void aShortTextMessageIsTheRfcsHelloFrame() {
        assertThat(ServerFrames.text("Hello")).containsExactly(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
    }

    @Test
    void aMessageOf256BytesHasASixteenBitLength() {
        byte[] frame = ServerFrames.binary(filled(256));
        assertThat(Arrays.copyOf(frame, 4)).containsExactly(0x82, 0x7E, 0x01, 0x00);
        assertThat(frame).hasSize(4 + 256);
        assertThat(Arrays.copyOfRange(frame, 4, frame.length)).isEqualTo(filled(256));
    }

    @Test
    void aMessageOf64KiBHasASixtyFourBitLength() {
        byte[] frame = ServerFrames.binary(filled(65_536));
        assertThat(Arrays.copyOf(frame, 10)).containsExactly(0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00);
        assertThat(frame).hasSize(10 + 65_536);
    }

    @Test
    void lengthsAtTheBoundariesPickTheShortestEncoding() {
        assertThat(ServerFrames.binary(new byte[0])).containsExactly(0x82, 0x00);
        assertThat(ServerFrames.binary(new byte[125])[1]).isEqualTo((byte) 125);
        assertThat(Arrays.copyOf(ServerFrames.binary(new byte[126]), 4)).containsExactly(0x82, 0x7E, 0x00, 0x7E);
        assertThat(Arrays.copyOf(ServerFrames.binary(new byte[65_535]), 4)).containsExactly(0x82, 0x7E, 0xFF, 0xFF);
    }

    @Test
    void textIsEncodedAsUtf8AndItsLengthCountsBytes() {
        String text = "héllo ☃ 🎉";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = ServerFrames.text(text);
        assertThat(frame[1]).isEqualTo((byte) utf8.length);
        assertThat(Arrays.copyOfRange(frame, 2, frame.length)).isEqualTo(utf8);
    }

    @Test
    void aMessageBuildsItsFrameOnceForAllItsRecipients() {
        Outgoing.Text text = new Outgoing.Text("{\"type\":\"offer\"}");
        assertThat(text.frame()).isSameAs(text.frame()).isEqualTo(ServerFrames.text(text.text()));
        Outgoing.Binary binary = new Outgoing.Binary(new byte[] {1, 2, 3});
        assertThat(binary.frame()).isSameAs(binary.frame()).containsExactly(0x82, 0x03, 1, 2, 3);
    }

    private static byte[] filled(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 31);
        }
        return data;
    }
}
