package dev.protochain.api.spi;

import dev.protochain.api.EntryKind;
import dev.protochain.api.ServiceFlag;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The descriptor of a provider class: its identity, kind, supported versions and settings.
 *
 * <p>The runtime and the plugin installer read it without instantiating the class. Example:
 *
 * <pre>
 * &#64;ProviderInfo(
 *     id = "3f0c8a52-7c1e-4c39-9b0a-5d1f6f0e2a11",
 *     name = "rot13",
 *     kind = EntryKind.LAYER,
 *     version = "1.0.0",
 *     minVersion = "2.0",
 *     maxVersion = "2.2",
 *     settings = &#64;SettingInfo(name = "shift", defaultValue = "13", description = "rotation"))
 * public final class Rot13Layer extends AbstractLayer { ... }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ProviderInfo {

  /** The provider's UUID, the one its catalog entries name. */
  String id();

  /** A short name, lower case, used for its layer entry and in messages. */
  String name();

  /** Whether it is a base or a layer. */
  EntryKind kind();

  /** The provider's own release, free text such as {@code 1.2.0}. */
  String version() default "1.0.0";

  /** The lowest SPI version it speaks, {@code major.minor}. */
  String minVersion() default "2.0";

  /** The highest SPI version it speaks, {@code major.minor}. */
  String maxVersion() default "2.2";

  /** The settings it accepts; any other key is refused at load. */
  SettingInfo[] settings() default {};

  /** The services a layer needs from the chain below it. */
  ServiceFlag[] requiresBelow() default {};

  /** One sentence on what it does. */
  String description() default "";

  /** The entries a base provider brings to the built-in catalog; a layer declares none. */
  BaseEntryInfo[] entries() default {};
}
