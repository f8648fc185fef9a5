package dev.protochain.api.spi;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.Protocol;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One base entry a base provider brings to the built-in catalog, inside {@link
 * ProviderInfo#entries()}: the runtime's {@code Catalog.builtin()} holds the entries every base
 * provider on the class path declares, in the order of their ids, and a catalog reset returns to
 * them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface BaseEntryInfo {

  /** The entry's id, unique among the built-in entries; the stock bases use 1001 to 1999. */
  int id();

  /** The entry's name, such as {@code tcp4}. */
  String name();

  /** The address family it serves. */
  AddressFamily family();

  /** The socket type it serves. */
  SocketType type();

  /** The protocol it serves. */
  Protocol protocol();

  /** The services it provides. */
  ServiceFlag[] flags() default {};

  /** The version of the protocol the entry speaks. */
  int version() default 2;
}
