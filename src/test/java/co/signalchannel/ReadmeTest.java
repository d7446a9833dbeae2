package co.signalchannel;

import co.signalchannel.config.Setting;
import co.signalchannel.config.TextSetting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration table is the operator's contract: it must match the code. */
class ReadmeTest {

    @Test
    void everySettingIsDocumentedWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting setting : Setting.values()) {
            assertThat(readme).as(setting.propertyName())
                    .contains("| `" + setting.propertyName() + "` | " + setting.documentedDefault() + " |");
        }
        for (TextSetting setting : TextSetting.values()) {
            assertThat(readme).as(setting.propertyName())
                    .contains("| `" + setting.propertyName() + "` | " + setting.documentedDefault() + " |");
        }
    }
}
