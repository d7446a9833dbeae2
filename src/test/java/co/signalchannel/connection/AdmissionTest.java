package co.signalchannel.connection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {

    @Test
    void admitsOnlyWhileOpen() {
        Admission admission = new Admission();
        assertThat(admission.admits()).isFalse();
        assertThat(admission.advance(Admission.Phase.OPEN)).isTrue();
        assertThat(admission.admits()).isTrue();
        assertThat(admission.advance(Admission.Phase.DRAINING)).isTrue();
        assertThat(admission.admits()).isFalse();
    }

    /** A start-up event that comes late must not reopen a server that began to drain. */
    @Test
    void phasesNeverMoveBack() {
        Admission admission = new Admission();
        admission.advance(Admission.Phase.DRAINING);
        assertThat(admission.advance(Admission.Phase.OPEN)).isFalse();
        assertThat(admission.advance(Admission.Phase.DRAINING)).isFalse();
        assertThat(admission.phase()).isEqualTo(Admission.Phase.DRAINING);
        assertThat(admission.advance(Admission.Phase.STOPPED)).isTrue();
        assertThat(admission.phase()).isEqualTo(Admission.Phase.STOPPED);
    }
}
