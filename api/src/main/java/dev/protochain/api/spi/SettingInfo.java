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

  /**
   * Whether the value is a secret, such as a password: it is then masked in every output (the
   * catalog's tables, install lines, errors, logs), and may be given as a reference, {@code
   * @file:PATH} or {@code @env:NAME}, which the catalog keeps and the runtime resolves when the
   * provider loads (see {@link dev.protochain.api.Settings}).
   */
  boolean secret() default false;

  /**
   * Whether the value names a file. An install stores it as an absolute path, resolved against the
   * directory it runs in, so that the catalog means the same file wherever it is used; an install
   * and a catalog verify refuse a file that does not exist. An empty value names no file.
   */
  boolean path() default false;
}
