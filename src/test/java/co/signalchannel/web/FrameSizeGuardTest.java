package co.signalchannel.web;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class FrameSizeGuardTest {

    static final int LIMIT = 100;

    /** A masked client frame (zero mask) of {@code length} bytes of {@code fill}. */
    static byte[] frame(int opcode, boolean fin, long declared, int payloadBytes, int fill) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (declared >= 0 && declared < 126) {
            out.write(0x80 | (int) declared);
        } else if (declared >= 0 && declared < 65_536) {
            out.write(0x80 | 126);
            out.write((int) (declared >> 8));
            out.write((int) declared & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (declared >>> shift) & 0xff);
            }
        }
        out.writeBytes(new byte[4]);
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) fill);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Feeds {@code stream} in chunks of {@code chunk} bytes, as the stream does, and returns what passes. */
    static byte[] pass(FrameSizeGuard guard, byte[] stream, int chunk) {
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        int at = 0;
        while (at < stream.length) {
            byte[] buffer = new byte[chunk + FrameSizeGuard.MAX_HEADER_BYTES];
            int held = guard.takeHeld(buffer, 0);
            int count = Math.min(chunk, stream.length - at);
            System.arraycopy(stream, at, buffer, held, count);
            at += count;
            passed.write(buffer, 0, guard.filter(buffer, 0, held + count));
        }
        return passed.toByteArray();
    }

    @Test
    void framesWithinTheLimitPassUnchangedWhateverTheChunks() {
        byte[] stream = concat(frame(1, true, 5, 5, 'a'), frame(2, true, 100, 100, 'b'),
                frame(9, true, 3, 3, 'p'), frame(1, false, 50, 50, 'c'), frame(0, true, 50, 50, 'd'));
        for (int chunk = 1; chunk <= stream.length; chunk++) {
            FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
            assertThat(pass(guard, stream, chunk)).as("chunk %d", chunk).isEqualTo(stream);
            assertThat(guard.takeRefusal()).isNull();
        }
    }

    @Test
    void aFrameDeclaringMoreIsRemovedAndNothingAfterItPasses() {
        byte[] before = frame(1, true, 5, 5, 'a');
        byte[] stream = concat(before, frame(2, true, 70_000, 70_000, 'x'), frame(1, true, 5, 5, 'b'),
                frame(9, true, 2, 2, 'p'), frame(8, true, 2, 2, 0));
        for (int chunk : new int[]{1, 3, 7, 1000, stream.length}) {
            FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
            assertThat(pass(guard, stream, chunk)).as("chunk %d", chunk).isEqualTo(before);
            assertThat(guard.takeRefusal()).isEqualTo("frame of 70000 bytes is over the message limit of 100 bytes");
            assertThat(guard.takeRefusal()).isNull();
        }
    }

    @Test
    void theClientsCloseFrameAfterTheRefusedPayloadIsReceivedOnlyOnceWhole() {
        byte[] refusedAndAfter = concat(frame(2, true, 70_000, 70_000, 'x'), frame(1, true, 5, 5, 'b'));
        byte[] close = frame(8, true, 2, 2, 0);
        for (int chunk : new int[]{1, 3, 7, 1000}) {
            FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
            pass(guard, refusedAndAfter, chunk);
            assertThat(guard.closeFrameReceived()).as("chunk %d", chunk).isFalse();
            pass(guard, Arrays.copyOf(close, close.length - 1), chunk);
            assertThat(guard.closeFrameReceived()).as("chunk %d, one byte short", chunk).isFalse();
            pass(guard, new byte[]{close[close.length - 1]}, chunk);
            assertThat(guard.closeFrameReceived()).as("chunk %d", chunk).isTrue();
        }
    }

    @Test
    void aCloseFrameWithNoPayloadIsReceivedWithItsHeader() {
        FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
        pass(guard, concat(frame(2, true, 200, 200, 'x'), frame(8, true, 0, 0, 0)), 5);
        assertThat(guard.closeFrameReceived()).isTrue();
    }

    @Test
    void aCloseFrameSentInsideTheRefusedPayloadIsPayload() {
        FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
        pass(guard, concat(frame(2, true, 70_000, 10, 'x'), frame(8, true, 2, 2, 0)), 4);
        assertThat(guard.closeFrameReceived()).isFalse();
    }

    @Test
    void aRefusalIsReportedFromTheHeaderBeforeAnyPayload() {
        FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
        byte[] header = frame(1, true, 5L << 20, 0, 0);
        assertThat(guard.filter(header, 0, header.length)).isZero();
        assertThat(guard.takeRefusal()).contains("5242880");
    }

    @Test
    void aLengthWithItsSignBitSetIsRefusedAndSwallowsTheRest() {
        FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
        byte[] stream = concat(frame(2, true, -1_711_105_335L, 64, 'x'), frame(8, true, 2, 2, 0));
        assertThat(pass(guard, stream, 10)).isEmpty();
        assertThat(guard.takeRefusal()).isEqualTo("frame of 18446744071998446281 bytes is over the message limit of 100 bytes");
    }

    @Test
    void fragmentsAddingUpToMoreThanTheLimitAreRefusedAtTheFragmentThatCrossesIt() {
        FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
        byte[] first = frame(1, false, 60, 60, 'a');
        byte[] ping = frame(9, true, 0, 0, 0);
        byte[] stream = concat(first, ping, frame(0, true, 41, 41, 'b'));
        assertThat(pass(guard, stream, 16)).isEqualTo(concat(first, ping));
        assertThat(guard.takeRefusal()).isEqualTo("message of 60 + 41 bytes is over the limit of 100 bytes");
    }

    @Test
    void aNewMessageStartsItsCountAfresh() {
        FrameSizeGuard guard = new FrameSizeGuard(LIMIT);
        byte[] stream = concat(frame(1, false, 60, 60, 'a'), frame(0, true, 40, 40, 'b'), frame(1, true, 100, 100, 'c'));
        assertThat(pass(guard, stream, 9)).isEqualTo(stream);
        assertThat(guard.takeRefusal()).isNull();
    }
}
