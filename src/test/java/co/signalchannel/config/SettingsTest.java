package co.signalchannel.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        Settings settings = Settings.defaults();
        for (Setting setting : Setting.values()) {
            assertThat(settings.get(setting)).isEqualTo(setting.defaultValue());
        }
        assertThat(settings.get(Setting.RELAY_PAIRING_TIMEOUT_MS)).isEqualTo(60_000);
    }

    @Test
    void systemPropertyBeatsEnvironmentBeatsContextParameter() {
        Map<String, String> properties = Map.of("signalchannel.message.max-bytes", "100");
        Map<String, String> environment = Map.of("SIGNALCHANNEL_MESSAGE_MAX_BYTES", "200",
                "SIGNALCHANNEL_OUTBOX_MAX_MESSAGES", "300");
        Map<String, String> context = Map.of("signalchannel.message.max-bytes", "400",
                "signalchannel.outbox.max-messages", "500", "signalchannel.sessions.max", "600");
        Settings settings = Settings.resolve(properties::get, environment::get, context::get);
        assertThat(settings.get(Setting.MESSAGE_MAX_BYTES)).isEqualTo(100);
        assertThat(settings.get(Setting.OUTBOX_MAX_MESSAGES)).isEqualTo(300);
        assertThat(settings.get(Setting.SESSIONS_MAX)).isEqualTo(600);
    }

    @Test
    void textSettingsComeFromTheSameSourcesInTheSameOrder() {
        Map<String, String> environment = Map.of("SIGNALCHANNEL_CLUSTER_REDIS", " redis://127.0.0.1:7000 ",
                "SIGNALCHANNEL_CLUSTER_NODE_ID", "from-environment");
        Map<String, String> context = Map.of("signalchannel.cluster.node-id", "from-web-xml",
                "signalchannel.cluster.prefix", "staging");
        Map<String, String> properties = Map.of("signalchannel.cluster.prefix", "   ");
        Settings settings = Settings.resolve(properties::get, environment::get, context::get);
        assertThat(settings.text(TextSetting.CLUSTER_REDIS)).isEqualTo("redis://127.0.0.1:7000");
        assertThat(settings.text(TextSetting.CLUSTER_NODE_ID)).isEqualTo("from-environment");
        assertThat(settings.text(TextSetting.CLUSTER_PREFIX)).as("a blank value counts as unset").isEqualTo("staging");
        assertThat(Settings.defaults().text(TextSetting.CLUSTER_REDIS)).as("alone by default").isEmpty();
        assertThat(Settings.defaults().text(TextSetting.CLUSTER_PREFIX)).isEqualTo("signalchannel");
        assertThat(TextSetting.CLUSTER_NODE_ID.environmentName()).isEqualTo("SIGNALCHANNEL_CLUSTER_NODE_ID");
    }

    @Test
    void namesFollowOneScheme() {
        assertThat(Setting.RELAY_BUFFER_MAX_BYTES.propertyName()).isEqualTo("signalchannel.relay.buffer.max-bytes");
        assertThat(Setting.RELAY_BUFFER_MAX_BYTES.environmentName()).isEqualTo("SIGNALCHANNEL_RELAY_BUFFER_MAX_BYTES");
    }

    @Test
    void aBadValueStopsStartUpNamingTheSettingAndItsSource() {
        Map<String, String> environment = Map.of("SIGNALCHANNEL_HEARTBEAT_TIMEOUT_MS", "sixty");
        assertThatThrownBy(() -> Settings.resolve(name -> null, environment::get, name -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("environment variable SIGNALCHANNEL_HEARTBEAT_TIMEOUT_MS")
                .hasMessageContaining("sixty");
        Map<String, String> zero = Map.of("signalchannel.sessions.max", "0");
        assertThatThrownBy(() -> Settings.resolve(zero::get, name -> null, name -> null))
                .hasMessageContaining("positive");
    }

    @Test
    void underscoresMayGroupDigits() {
        Map<String, String> properties = Map.of("signalchannel.outbox.max-bytes", "8_388_608");
        assertThat(Settings.resolve(properties::get, name -> null, name -> null).get(Setting.OUTBOX_MAX_BYTES))
                .isEqualTo(8_388_608);
    }
}
