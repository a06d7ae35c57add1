package volt

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/setting"
	"github.com/volthttp/volt/pool"
)

// Default values of Server settings left at zero.
const (
	DefaultConcurrency        = 256 * 1024
	DefaultReadBufferSize     = 4096
	DefaultWriteBufferSize    = 4096
	DefaultMaxRequestBodySize = 4 << 20
	DefaultHeaderTimeout      = 10 * time.Second
	DefaultIdleTimeout        = 60 * time.Second
	DefaultBodyIdleTimeout    = 60 * time.Second
	DefaultWriteTimeout       = 60 * time.Second
	DefaultMaxRequestArgs     = 1000
)

// Server serves HTTP over the listeners given to Serve.
//
// The zero value serves nothing (Handler is nil and answers 404); set
// Handler and call ListenAndServe or Serve. Each field's comment says what
// zero means. Fields must not change after Serve was called.
type Server struct {
	// Handler serves every request. If nil, every request gets 404.
	Handler RequestHandler

	// Name is sent in the Server header of every response. If empty, or
	// if it holds CR, LF, NUL or another control byte, "volt" is sent.
	Name string

	// Concurrency is the most connections served at once. Past it, a new
	// connection gets 503 and is closed. If zero, DefaultConcurrency.
	Concurrency int

	// MaxConnsPerIP is the most connections from one client IP. Past it, a
	// new connection gets 429 and is closed. If zero, there is no limit.
	MaxConnsPerIP int

	// MaxRequestsPerConn closes a connection after this many requests. If
	// zero, there is no limit.
	MaxRequestsPerConn int

	// ReadTimeout bounds the reading of a whole request, head and body,
	// from its first byte. If zero, only HeaderTimeout and MinBodyRate
	// bound it.
	ReadTimeout time.Duration

	// HeaderTimeout is the time the whole request head has to arrive in,
	// from its first byte (the slowloris defence). It also bounds the TLS
	// handshake. If zero, ReadTimeout is used, and DefaultHeaderTimeout
	// (10 s) if that is zero too. If negative, there is no limit.
	HeaderTimeout time.Duration

	// BodyIdleTimeout is the longest wait between two successive reads of
	// a request body (not the time for the whole body), buffered or
	// streamed, with Content-Length or chunked. A buffered body that
	// stalls longer is answered 408 and the connection closes; a streamed
	// body's Read fails with an error whose Timeout method reports true,
	// and the connection closes after the handler's response. If zero,
	// DefaultBodyIdleTimeout (60 s) is used. If negative, there is no
	// limit.
	BodyIdleTimeout time.Duration

	// MinBodyRate, in bytes per second, cuts off a request body that
	// arrives slower than this, after one second of grace. If zero, there
	// is no minimum.
	MinBodyRate int

	// WriteTimeout bounds each write of a response to the connection, so
	// that a client that stops reading cannot hold a connection, and its
	// handler's goroutine, forever. Large bodies are written in pieces of
	// at most 256 KiB, each with a fresh deadline: a response of any size
	// keeps going as long as the client takes 256 KiB per WriteTimeout.
	// A write that times out closes the connection. If zero,
	// DefaultWriteTimeout (60 s, as nginx's send_timeout); if negative,
	// there is no limit.
	WriteTimeout time.Duration

	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request. If zero, ReadTimeout is used, and DefaultIdleTimeout
	// (60 s) if that is zero too. If negative, there is no limit.
	IdleTimeout time.Duration

	// ReadBufferSize is the size of a connection's read buffer; a request
	// head larger than it grows the buffer up to MaxHeaderBytes. If zero,
	// DefaultReadBufferSize (4096).
	ReadBufferSize int

	// WriteBufferSize is the size of a connection's write buffer. If zero,
	// DefaultWriteBufferSize (4096).
	WriteBufferSize int

	// MaxHeaderBytes is the largest request head (431 past it). If zero,
	// DefaultMaxHeaderBytes (32 KiB).
	MaxHeaderBytes int

	// MaxHeaderCount is the most header fields in a request (431 past it).
	// If zero, DefaultMaxHeaderCount (128).
	MaxHeaderCount int

	// MaxURILength is the longest request-target (414 past it). If zero,
	// DefaultMaxURILength (8 KiB).
	MaxURILength int

	// MaxRequestBodySize is the largest request body (413 past it). If
	// zero, DefaultMaxRequestBodySize (4 MiB); if negative, no limit.
	MaxRequestBodySize int64

	// MaxRequestArgs is the most pairs parsed from a request's query
	// string (QueryArgs) and, separately, from its form body (PostArgs):
	// past it, the pairs before the limit are kept and the Args' ParseErr
	// reports ErrTooManyArgs. If zero, DefaultMaxRequestArgs (1000) is
	// used. If negative, there is no limit. (Multipart forms are bounded
	// by mime/multipart itself: 1000 parts by default.)
	MaxRequestArgs int

	// MultipartMemory is how much of a multipart form is kept in memory;
	// the rest is spilled to temporary files. If zero,
	// DefaultMultipartMemory (8 MiB).
	MultipartMemory int64

	// StreamRequestBody hands request bodies to the handler unread, as a
	// stream (Request.BodyStream), instead of reading them before the
	// handler runs.
	StreamRequestBody bool

	// DisableKeepalive closes every connection after one response.
	DisableKeepalive bool

	// ReduceMemoryUsage gives pooled buffers back even where the connection
	// cannot wait for data without one (TLS, in-memory conns), at the cost
	// of an extra small read per request, and drops buffers that grew for
	// a large request instead of pooling them.
	ReduceMemoryUsage bool

	// DisableHeaderNamesNormalizing keeps header names as sent instead of
	// normalising them (content-type to Content-Type).
	DisableHeaderNamesNormalizing bool

	// DisablePathNormalizing keeps request paths exactly as sent (see
	// URI.DisablePathNormalization).
	DisablePathNormalizing bool

	// Lenient turns on leniencies of the HTTP/1.1 parser, all off by
	// default.
	Lenient Leniency

	// ContinueHandler decides whether a request with
	// "Expect: 100-continue" may send its body; if it returns false, the
	// server answers 417 without reading the body. If nil, every such
	// request gets 100 Continue.
	ContinueHandler func(h *RequestHeader) bool

	// ErrorHandler writes the response for a request the server rejects
	// (err is a parse or limit error; the status is already set). If nil,
	// the status text is sent as text/plain.
	ErrorHandler func(ctx *RequestCtx, err error)

	// ConnState is called when a connection changes state. The hook may
	// use the net.Conn as it likes, so a server with one gives up the
	// held wait of busy HTTP/1.1 connections on Linux (see
	// serve_http1_held_linux.go): each keep-alive request then costs
	// one more read system call.
	ConnState func(net.Conn, ConnState)

	// Logger receives panics of handlers and accept errors. If nil,
	// slog.Default() is used.
	Logger *slog.Logger

	// TLSConfig is used by ServeTLS and ListenAndServeTLS. Its NextProtos
	// are completed with the registered protocols. tlsutil.ServerConfig
	// builds one with secure defaults.
	TLSConfig *tls.Config

	// HandshakeTimeout bounds the TLS handshake. If zero, the header
	// timeout is used (see HeaderTimeout).
	HandshakeTimeout time.Duration

	initOnce   sync.Once
	opts       parseOptions
	workers    pool.Workers
	name       []byte
	protocols  map[string]Protocol
	upgrades   map[string]UpgradeProtocol
	prefaces   []preface
	maxPreface int

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*ServerConn]struct{}
	perIP     map[string]int
	shutting  atomic.Bool
	done      chan struct{}
	connSeq   atomic.Uint64

	stats serverStats

	// disableHold turns the held wait off (serve_http1_held_linux.go),
	// so that tests and benchmarks can compare with the plain wait.
	disableHold bool
	// testParkDelay replaces parkDelay (serve_http1_park.go) in tests
	// that must not see a connection park between two requests.
	testParkDelay time.Duration
}

// Leniency lists the parser leniencies a Server may turn on. Each accepts
// input that RFC 9112 lets a server reject, and that request smuggling
// attacks like to use: turn one on only for a known client that needs it.
type Leniency struct {
	// BareLF accepts LF without CR as a line end (RFC 9112 section 2.2).
	BareLF bool
	// ObsFold accepts obs-fold line folding in header values, replacing it
	// with spaces (RFC 9112 section 5.2).
	ObsFold bool
}

// ConnState is the state of a server connection, reported to
// Server.ConnState.
type ConnState int

// Connection states.
const (
	StateNew ConnState = iota
	StateActive
	StateIdle
	StateHijacked
	StateClosed
)

var connStateNames = [...]string{"new", "active", "idle", "hijacked", "closed"}

func (s ConnState) String() string { return connStateNames[s] }

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.opts = parseOptions{
			maxHeaderBytes: orInt(s.MaxHeaderBytes, DefaultMaxHeaderBytes),
			maxHeaderCount: orInt(s.MaxHeaderCount, DefaultMaxHeaderCount),
			maxURILength:   orInt(s.MaxURILength, DefaultMaxURILength),
			allowBareLF:    s.Lenient.BareLF,
			allowObsFold:   s.Lenient.ObsFold,
			keepNames:      s.DisableHeaderNamesNormalizing,
		}
		s.name = strDefaultName
		if s.Name != "" && ascii.ValidFieldValue([]byte(s.Name)) {
			s.name = []byte(s.Name)
		}
		s.mu.Lock()
		s.done = make(chan struct{})
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*ServerConn]struct{})
		s.perIP = make(map[string]int)
		s.mu.Unlock()
		s.workers.MaxIdleDuration = 10 * time.Second
		s.workers.Start()
	})
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// headerTimeout returns the limit for a request head; 0 means none.
func (s *Server) headerTimeout() time.Duration {
	switch {
	case s.HeaderTimeout < 0:
		return 0
	case s.HeaderTimeout > 0:
		return s.HeaderTimeout
	case s.ReadTimeout > 0:
		return s.ReadTimeout
	}
	return DefaultHeaderTimeout
}

// idleTimeout returns the limit for an idle connection; 0 means none.
func (s *Server) idleTimeout() time.Duration {
	switch {
	case s.IdleTimeout < 0:
		return 0
	case s.IdleTimeout > 0:
		return s.IdleTimeout
	case s.ReadTimeout > 0:
		return s.ReadTimeout
	}
	return DefaultIdleTimeout
}

// maxArgs returns the most pairs of a query string or form body; 0 means
// no limit.
func (s *Server) maxArgs() int { return setting.OrNone(s.MaxRequestArgs, DefaultMaxRequestArgs) }

// bodyIdleTimeout returns the longest wait between two reads of a
// request body; 0 means none.
func (s *Server) bodyIdleTimeout() time.Duration {
	return setting.OrNone(s.BodyIdleTimeout, DefaultBodyIdleTimeout)
}

// writeTimeout returns the deadline of each response write, or 0 for
// none.
func (s *Server) writeTimeout() time.Duration {
	return setting.OrNone(s.WriteTimeout, DefaultWriteTimeout)
}

// maxBodySize returns the request body limit, or -1 for no limit: callers
// test "limit >= 0" before any arithmetic with it.
func (s *Server) maxBodySize() int64 {
	switch {
	case s.MaxRequestBodySize > 0:
		return s.MaxRequestBodySize
	case s.MaxRequestBodySize < 0:
		return -1
	}
	return DefaultMaxRequestBodySize
}

// ListenAndServe listens on the TCP address addr and serves it.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// ListenAndServeUNIX listens on the Unix socket at path (removing a stale
// socket file first), sets its mode and serves it.
func (s *Server) ListenAndServeUNIX(path string, mode os.FileMode) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	if err := os.Chmod(path, mode); err != nil {
		_ = ln.Close()
		return err
	}
	return s.Serve(ln)
}

// ListenAndServeTLS listens on addr and serves HTTPS with the certificate
// and key in the given PEM files (or TLSConfig's certificates when both
// are empty).
func (s *Server) ListenAndServeTLS(addr, certFile, keyFile string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.ServeTLS(ln, certFile, keyFile)
}

// ServeTLS serves HTTPS on ln with the certificate and key in the given
// PEM files (or TLSConfig's certificates when both are empty). The ALPN
// protocol list offers every registered protocol, then http/1.1.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	s.init()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return err
		}
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	cfg.NextProtos = s.alpnProtocols(cfg.NextProtos)
	return s.Serve(tls.NewListener(ln, cfg))
}

// Serve accepts connections on ln and serves them until ln fails or
// Shutdown is called (then it returns ErrServerClosed). ln is closed when
// Serve returns.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.shutting.Load() {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		_ = ln.Close()
	}()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.shutting.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporaryAccept(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logger().Warn("volt: accept error; retrying", "err", err, "delay", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		s.accept(c)
	}
}

// accept admits c or turns it away past the connection limits.
func (s *Server) accept(c net.Conn) {
	s.stats.accepted.Add(1)
	open := s.stats.open.Add(1)
	if open > int64(orInt(s.Concurrency, DefaultConcurrency)) {
		s.stats.open.Add(-1)
		s.reject(c, StatusServiceUnavailable)
		return
	}
	ip := ""
	if s.MaxConnsPerIP > 0 {
		ip = remoteIPString(c)
		s.mu.Lock()
		n := s.perIP[ip] + 1
		if n > s.MaxConnsPerIP {
			s.mu.Unlock()
			s.stats.open.Add(-1)
			s.reject(c, StatusTooManyRequests)
			return
		}
		s.perIP[ip] = n
		s.mu.Unlock()
	}
	sc := &ServerConn{srv: s, conn: c, ip: ip, id: s.connSeq.Add(1)}
	s.mu.Lock()
	if s.shutting.Load() {
		s.mu.Unlock()
		sc.close()
		return
	}
	s.conns[sc] = struct{}{}
	s.mu.Unlock()
	s.setState(sc, StateNew)
	if !s.workers.Go(sc.serve) {
		sc.close()
	}
}

// reject answers a connection over a limit and closes it. The answer is
// plain HTTP/1.1; a TLS connection is just closed.
func (s *Server) reject(c net.Conn, code int) {
	s.stats.rejected.Add(1)
	if _, isTLS := c.(*tls.Conn); !isTLS {
		var b [192]byte
		msg := appendStatusLine(b[:0], code)
		msg = append(msg, "Date: "...)
		msg = appendDate(msg, time.Now())
		msg = append(msg, "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"...)
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.Write(msg)
	}
	_ = c.Close()
}

func remoteIPString(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return string(a.IP.To16())
	}
	return ""
}

func (s *Server) setState(sc *ServerConn, st ConnState) {
	if s.ConnState != nil {
		s.ConnState(sc.conn, st)
	}
}

func (s *Server) removeConn(sc *ServerConn) {
	s.mu.Lock()
	delete(s.conns, sc)
	if sc.ip != "" {
		if n := s.perIP[sc.ip] - 1; n > 0 {
			s.perIP[sc.ip] = n
		} else {
			delete(s.perIP, sc.ip)
		}
	}
	// Counted under the lock, so that a Shutdown that found no
	// connection left finds none open in Stats either.
	s.stats.open.Add(-1)
	s.mu.Unlock()
}

// Shutdown stops the server gracefully: it closes the listeners, cancels
// the contexts of running requests (their Done closes), lets them finish,
// closes idle keep-alive connections, and returns when every connection is
// gone (nil) or ctx ends (ctx.Err()). Connections still open then are left
// to finish on their own; Close them with Close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	if !s.shutting.Swap(true) {
		close(s.done)
	}
	for ln := range s.listeners {
		_ = ln.Close()
	}
	s.mu.Unlock()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		s.mu.Lock()
		n := len(s.conns)
		for sc := range s.conns {
			sc.shutdown()
		}
		s.mu.Unlock()
		if n == 0 {
			s.workers.Stop()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.init()
	s.mu.Lock()
	if !s.shutting.Swap(true) {
		close(s.done)
	}
	for ln := range s.listeners {
		_ = ln.Close()
	}
	for sc := range s.conns {
		sc.cancelAll(ErrServerClosed)
		sc.closeConn()
		sc.unparkNow() // after the close: a parked connection left the epoll set with it
		sc.notifyDetached()
	}
	s.mu.Unlock()
	return nil
}

// Done returns a channel that closes when Shutdown or Close is called.
func (s *Server) Done() <-chan struct{} {
	s.init()
	return s.done
}

// serverStats are the live counters of a Server.
type serverStats struct {
	accepted atomic.Int64
	open     atomic.Int64
	rejected atomic.Int64
	inFlight atomic.Int64
	requests atomic.Int64
	hijacked atomic.Int64

	streams      atomic.Int64
	streamsTotal atomic.Int64
}

// ServerStats is a snapshot of a Server's counters.
type ServerStats struct {
	// AcceptedConns counts every accepted connection.
	AcceptedConns int64
	// OpenConns is the number of connections open now, hijacked ones
	// included.
	OpenConns int64
	// RejectedConns counts connections turned away by Concurrency or
	// MaxConnsPerIP.
	RejectedConns int64
	// RequestsInFlight is the number of handlers running now.
	RequestsInFlight int64
	// Requests counts every request handed to the handler.
	Requests int64
	// HijackedConns is the number of hijacked connections open now.
	HijackedConns int64
	// OpenStreams is the number of HTTP/2 streams open now.
	OpenStreams int64
	// Streams counts every HTTP/2 stream opened.
	Streams int64
}

// Stats returns the server's counters.
func (s *Server) Stats() ServerStats {
	return ServerStats{
		AcceptedConns:    s.stats.accepted.Load(),
		OpenConns:        s.stats.open.Load(),
		RejectedConns:    s.stats.rejected.Load(),
		RequestsInFlight: s.stats.inFlight.Load(),
		Requests:         s.stats.requests.Load(),
		HijackedConns:    s.stats.hijacked.Load(),
		OpenStreams:      s.stats.streams.Load(),
		Streams:          s.stats.streamsTotal.Load(),
	}
}

// deadline returns now+d, or no deadline when d is 0.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}
