/**
 * The application API of protochain: catalog entries and protocol chains, versions, sessions,
 * sockets and the error family.
 *
 * <p>An application obtains a {@link dev.protochain.api.Session} from a runtime (one startup),
 * opens {@link dev.protochain.api.ChainSocket}s through it and closes it (the matching cleanup).
 * Every type here depends on the JDK only. Nothing in this package accepts or returns {@code null}
 * unless the parameter or method is documented as nullable.
 */
package dev.protochain.api;
