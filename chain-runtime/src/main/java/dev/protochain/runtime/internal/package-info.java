/** The runtime's machinery. Internal; not API: it may change in any release. */
package dev.protochain.runtime.internal;
