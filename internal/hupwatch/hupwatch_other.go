//go:build !linux

package hupwatch

import "net"

// Conn watches nothing outside Linux.
type Conn struct{}

// NewConn returns nil outside Linux: read the connection instead.
func NewConn(net.Conn) *Conn { return nil }

// Watch reports false.
func (hc *Conn) Watch(Target) bool { return false }

// Unwatch does nothing.
func (hc *Conn) Unwatch() {}

// Pending returns 0.
func (hc *Conn) Pending() int { return 0 }

// Close does nothing.
func (hc *Conn) Close() {}
