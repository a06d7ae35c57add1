//go:build !unix

// Package idleread waits for data on an idle connection without holding a
// read buffer, on Unix.
package idleread

import "net"

// Reader is only available on Unix; elsewhere idle connections keep
// their buffers.
type Reader struct{}

// New returns nil: read the connection as usual.
func New(net.Conn, func() []byte, func([]byte)) *Reader { return nil }

// Wait is never called: New returns nil.
func (r *Reader) Wait() ([]byte, int, error) { panic("unreachable") }

// Hold is never called: New returns nil.
func (r *Reader) Hold(func(fd uintptr) bool) error { panic("unreachable") }
