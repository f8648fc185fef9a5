/**
 * The catalog store's machinery: the JSON mapping, atomic writes and the file lock. Internal; not
 * API.
 */
package dev.protochain.runtime.store.internal;
