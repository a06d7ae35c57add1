// Package volttest helps users test their volt handlers without a
// network: an in-memory listener whose connections behave like TCP ones
// (buffered, with deadlines).
//
//	ln := volttest.NewListener()
//	srv := &volt.Server{Handler: handler}
//	go srv.Serve(ln)
//	c, _ := ln.Dial()
//	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
package volttest

import (
	"net"

	"github.com/volthttp/volt/internal/memconn"
)

// Listener is an in-memory net.Listener; Dial makes its connections.
type Listener struct{ l *memconn.Listener }

// NewListener returns a new in-memory listener.
func NewListener() *Listener { return &Listener{memconn.NewListener()} }

// Accept implements net.Listener.
func (l *Listener) Accept() (net.Conn, error) { return l.l.Accept() }

// Close implements net.Listener; Dial fails afterwards.
func (l *Listener) Close() error { return l.l.Close() }

// Addr implements net.Listener.
func (l *Listener) Addr() net.Addr { return l.l.Addr() }

// Dial opens a connection to the listener.
func (l *Listener) Dial() (net.Conn, error) { return l.l.Dial() }
