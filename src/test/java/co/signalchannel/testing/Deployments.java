package co.signalchannel.testing;

import co.signalchannel.config.Setting;
import org.jboss.shrinkwrap.api.GenericArchive;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.Filters;
import org.jboss.shrinkwrap.api.importer.ExplodedImporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.util.Map;
import java.util.stream.Collectors;

/** The archives the in-container tests deploy. */
public final class Deployments {

    private Deployments() {
    }

    /**
     * The application as compiled (main classes and web resources, no test code), with the given
     * settings as context parameters in a {@code web.xml}, as an operator would set them.
     */
    public static WebArchive signalChannel(String name, Map<Setting, Long> settings) {
        WebArchive war = ShrinkWrap.create(WebArchive.class, name + ".war");
        war.merge(ShrinkWrap.create(GenericArchive.class).as(ExplodedImporter.class)
                .importDirectory("target/classes").as(GenericArchive.class), "/WEB-INF/classes", Filters.includeAll());
        war.merge(ShrinkWrap.create(GenericArchive.class).as(ExplodedImporter.class)
                .importDirectory("src/main/webapp").as(GenericArchive.class), "/", Filters.includeAll());
        String parameters = settings.entrySet().stream()
                .map(setting -> "  <context-param><param-name>" + setting.getKey().propertyName()
                        + "</param-name><param-value>" + setting.getValue() + "</param-value></context-param>")
                .collect(Collectors.joining("\n"));
        war.setWebXML(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                %s
                </web-app>
                """.formatted(parameters)));
        return war;
    }

    /** The very WAR that {@code mvn package} produced. */
    public static WebArchive packaged(String name) {
        File war = new File(System.getProperty("signalchannel.war", "target/signal-channel.war"));
        return ShrinkWrap.create(ZipImporter.class, name + ".war").importFrom(war).as(WebArchive.class);
    }
}
