package http2

import (
	"time"

	"github.com/volthttp/volt"
)

// Default values of Server settings left at zero.
const (
	// DefaultMaxConcurrentStreams is the most streams a client may have
	// open at once (SETTINGS_MAX_CONCURRENT_STREAMS).
	DefaultMaxConcurrentStreams = 250
	// DefaultStreamWindowSize is the receive window of each stream: how
	// much of a request body a client may send before the server reads it.
	DefaultStreamWindowSize = 1 << 20
	// DefaultConnWindowSize is the receive window of a connection.
	DefaultConnWindowSize = 4 << 20
	// DefaultMaxReadFrameSize is the largest frame payload accepted
	// (SETTINGS_MAX_FRAME_SIZE): the protocol's initial value, which
	// clients use anyway.
	DefaultMaxReadFrameSize = 16 << 10
	// DefaultMaxQueuedControlFrames bounds the control frames (SETTINGS
	// and PING acknowledgements, RST_STREAM, WINDOW_UPDATE) waiting to be
	// written to a client that does not read them.
	DefaultMaxQueuedControlFrames = 1000
	// DefaultMaxResetStreams is how many streams a client may reset (or
	// have refused) per second on one connection, on average, before the
	// server ends the connection with ENHANCE_YOUR_CALM (the rapid reset
	// attack, CVE-2023-44487).
	DefaultMaxResetStreams = 200
	// DefaultMaxEmptyFrames is how many DATA frames without data and
	// without END_STREAM, CONTINUATION frames without header block bytes,
	// and other frames that do no work a client may send per second on
	// average before the connection ends with ENHANCE_YOUR_CALM.
	DefaultMaxEmptyFrames = 1000
	// DefaultPingInterval is how long a connection may stay silent before
	// the server sends a PING to check that the client is still there.
	DefaultPingInterval = 30 * time.Second
	// DefaultShutdownGrace is how long Shutdown waits between the first
	// GOAWAY (announcing the end) and the second (naming the last stream
	// served).
	DefaultShutdownGrace = time.Second
)

// Server holds the HTTP/2 settings of a volt.Server. ConfigureServer
// registers it; requests are then served by the volt.Server's Handler, the
// same as over HTTP/1.1. The zero value is ready to use: each field's
// comment says what zero means. Timeouts, the header list size and the
// request body size come from the volt.Server (HeaderTimeout, IdleTimeout,
// WriteTimeout, BodyIdleTimeout, MaxHeaderBytes, MaxHeaderCount,
// MaxRequestBodySize), so that one setting bounds both protocols.
type Server struct {
	// MaxConcurrentStreams is the most streams a client may have open at
	// once; a stream whose handler still runs counts, even after the
	// client reset it. Past it, a new stream is refused with
	// REFUSED_STREAM. If zero, DefaultMaxConcurrentStreams (250).
	MaxConcurrentStreams uint32
	// InitialWindowSize is the receive window of each stream. If zero,
	// DefaultStreamWindowSize (1 MiB).
	InitialWindowSize uint32
	// ConnWindowSize is the receive window of each connection. If zero,
	// DefaultConnWindowSize (4 MiB).
	ConnWindowSize uint32
	// MaxReadFrameSize is the largest frame payload the server accepts;
	// it is at least 16 KiB (16384) and at most 16 MiB - 1. If zero,
	// DefaultMaxReadFrameSize (16 KiB).
	MaxReadFrameSize uint32
	// HeaderTableSize is the size of the HPACK dynamic table the client
	// may use for request headers. If zero, 4096.
	HeaderTableSize uint32
	// MaxQueuedControlFrames bounds the control frames queued for a
	// client that does not read them; past it the connection is closed.
	// If zero, DefaultMaxQueuedControlFrames (1000).
	MaxQueuedControlFrames int
	// MaxResetStreams is the rapid-reset bound (see
	// DefaultMaxResetStreams). If zero, DefaultMaxResetStreams (200).
	MaxResetStreams int
	// MaxEmptyFrames is the bound on frames that do no work (see
	// DefaultMaxEmptyFrames). If zero, DefaultMaxEmptyFrames (1000).
	MaxEmptyFrames int
	// PingInterval is how long a connection with open streams may stay
	// silent before a PING checks the client; a client that does not
	// answer within the server's WriteTimeout is dropped. If zero,
	// DefaultPingInterval (30 s); if negative, no PING is sent.
	PingInterval time.Duration
	// ShutdownGrace is the wait between the two GOAWAY frames of a
	// graceful shutdown. If zero, DefaultShutdownGrace (1 s).
	ShutdownGrace time.Duration
	// DisableExtendedConnect stops the server from announcing
	// SETTINGS_ENABLE_CONNECT_PROTOCOL and accepting the extended CONNECT
	// of RFC 8441 (the :protocol pseudo-header field), with which clients
	// open WebSocket connections over HTTP/2 streams.
	DisableExtendedConnect bool
	// DisableCleartext stops the server from serving HTTP/2 over
	// cleartext TCP (the prior-knowledge preface and Upgrade: h2c); only
	// TLS connections that negotiate "h2" are served then.
	DisableCleartext bool
}

// ConfigureServer makes srv serve HTTP/2 with the settings of conf (nil:
// defaults): over TLS when ALPN selects "h2", and, unless
// conf.DisableCleartext, over cleartext TCP on the same port as
// HTTP/1.1, both with prior knowledge (the client preface) and through an
// HTTP/1.1 request with "Upgrade: h2c". Call it before srv serves.
func ConfigureServer(srv *volt.Server, conf *Server) {
	if conf == nil {
		conf = &Server{}
	}
	srv.RegisterProtocol(ProtocolH2, conf)
	if !conf.DisableCleartext {
		srv.RegisterPreface(ClientPreface, ProtocolH2)
		srv.RegisterUpgrade(ProtocolH2C, conf)
	}
}

// ALPN and upgrade names of HTTP/2.
const (
	// ProtocolH2 is HTTP/2 over TLS, and the name the server registers.
	ProtocolH2 = "h2"
	// ProtocolH2C is HTTP/2 over cleartext TCP, as an Upgrade token.
	ProtocolH2C = "h2c"
)

func (s *Server) maxConcurrentStreams() uint32 {
	return orU32(s.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
}

func (s *Server) initialWindowSize() uint32 {
	return min(orU32(s.InitialWindowSize, DefaultStreamWindowSize), MaxWindowSize)
}

func (s *Server) connWindowSize() uint32 {
	return min(orU32(s.ConnWindowSize, DefaultConnWindowSize), MaxWindowSize)
}

func (s *Server) maxReadFrameSize() uint32 {
	n := orU32(s.MaxReadFrameSize, DefaultMaxReadFrameSize)
	return min(max(n, DefaultMaxFrameSize), MaxFrameSizeLimit)
}

func (s *Server) headerTableSize() uint32 { return orU32(s.HeaderTableSize, DefaultHeaderTableSize) }

func orU32(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orDuration(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}
