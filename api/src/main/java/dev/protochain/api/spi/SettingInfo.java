package dev.protochain.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** One setting a provider accepts, inside {@link ProviderInfo#settings()}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface SettingInfo {

  /** The key, such as {@code threshold}. */
  String name();

  /** The value used when the entry does not set it; empty means none. */
  String defaultValue() default "";

  /** One sentence on what it does. */
  String description() default "";
}
