/**
 * Pieces the stock layers share. Not API: public only so that the layers' packages can use them,
 * and free to change in any release.
 */
package dev.protochain.layers.internal;
