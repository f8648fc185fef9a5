/**
 * The runtime's JFR events ({@code protochain.*}, category "protochain"). Internal; not API: it may
 * change in any release.
 */
package dev.protochain.runtime.internal.jfr;
