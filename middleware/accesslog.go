package middleware

import (
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// LogFormat is the format of AccessLog's records.
type LogFormat uint8

const (
	// LogCommon is the Common Log Format of web servers, one line per
	// request:
	//	192.0.2.1 - alice [10/Oct/2024:13:55:36 +0000] "GET /a?b=c HTTP/1.1" 200 2326
	LogCommon LogFormat = iota
	// LogCombined is LogCommon followed by the quoted Referer and
	// User-Agent.
	LogCombined
	// LogStructured logs through a *slog.Logger, with the attributes
	// method, path, status, bytes, duration, remote_ip and (when the
	// RequestID middleware ran before) request_id.
	LogStructured
)

// AccessLogConfig configures AccessLog.
type AccessLogConfig struct {
	// Format is the record format. If zero, LogCommon.
	Format LogFormat

	// Output receives LogCommon and LogCombined lines, one Write per
	// line; writes are serialised. If nil, os.Stderr.
	Output io.Writer

	// Logger receives LogStructured records, at level Info. If nil,
	// slog.Default().
	Logger *slog.Logger

	// Proxies finds the client's address behind proxies. If zero, the
	// connection's peer is logged. A client that Proxies.ClientIP cannot
	// tell is logged as "-".
	Proxies Proxies
}

// AccessLog returns middleware that logs each request after its handler
// returned. The user of LogCommon is the one BasicAuth authenticated, or
// "-"; the byte count is the body's length, or "-" for none or a
// streamed body of unknown length. Values from the request are escaped
// (quotes, backslashes, control and non-ASCII bytes as \xHH) so that a
// client cannot forge log lines.
//
// LogCommon and LogCombined allocate nothing per request; LogStructured
// costs what the slog handler costs.
func AccessLog(cfg AccessLogConfig) Middleware {
	out := cfg.Output
	if out == nil {
		out = os.Stderr
	}
	l := &accessLogger{cfg: cfg, out: out}
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			start := time.Now()
			next(ctx)
			if cfg.Format == LogStructured {
				l.logStructured(ctx, start)
			} else {
				l.logLine(ctx, start)
			}
		}
	}
}

type accessLogger struct {
	cfg AccessLogConfig
	mu  sync.Mutex // serialises writes to out
	out io.Writer
}

// responseBytes returns the length of ctx's response body, or -1 when it
// is unknown (a stream without a Content-Length).
func responseBytes(ctx *volt.RequestCtx) int64 {
	if ctx.Response.IsBodyStream() {
		return ctx.Response.Header.ContentLength()
	}
	return int64(len(ctx.Response.Body()))
}

func (l *accessLogger) logLine(ctx *volt.RequestCtx, start time.Time) {
	b := getBuf()
	buf := (*b)[:0]
	if ip, err := l.cfg.Proxies.ClientIP(ctx); err == nil {
		buf = ip.AppendTo(buf)
	} else {
		buf = append(buf, '-')
	}
	buf = append(buf, " - "...)
	if u := BasicAuthUser(ctx); u != "" {
		buf = appendEscaped(buf, bytesconv.S2B(u))
	} else {
		buf = append(buf, '-')
	}
	buf = append(buf, " ["...)
	buf = appendCLFTime(buf, start)
	buf = append(buf, "] \""...)
	buf = appendEscaped(buf, ctx.Method())
	buf = append(buf, ' ')
	buf = appendEscaped(buf, ctx.Request.Header.RequestURI())
	buf = append(buf, ' ')
	buf = append(buf, ctx.Request.Header.Protocol()...)
	buf = append(buf, "\" "...)
	buf = strconv.AppendInt(buf, int64(ctx.Response.StatusCode()), 10)
	buf = append(buf, ' ')
	if n := responseBytes(ctx); n > 0 {
		buf = strconv.AppendInt(buf, n, 10)
	} else {
		buf = append(buf, '-')
	}
	if l.cfg.Format == LogCombined {
		buf = append(buf, " \""...)
		buf = appendEscaped(buf, ctx.Request.Header.Peek("Referer"))
		buf = append(buf, "\" \""...)
		buf = appendEscaped(buf, ctx.Request.Header.Peek(volt.HeaderUserAgent))
		buf = append(buf, '"')
	}
	buf = append(buf, '\n')
	l.mu.Lock()
	_, _ = l.out.Write(buf)
	l.mu.Unlock()
	*b = buf
	putBuf(b)
}

// clfTime caches the formatted time of the current second: formatting
// costs more than the rest of a line.
type clfTime struct {
	sec int64
	buf []byte
}

var lastCLFTime atomic.Pointer[clfTime]

// appendCLFTime appends t as "10/Oct/2024:13:55:36 +0000".
func appendCLFTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if c := lastCLFTime.Load(); c != nil && c.sec == sec {
		return append(dst, c.buf...)
	}
	c := &clfTime{sec: sec, buf: t.AppendFormat(nil, "02/Jan/2006:15:04:05 -0700")}
	lastCLFTime.Store(c)
	return append(dst, c.buf...)
}

// appendEscaped appends s with '"', '\\', control and non-ASCII bytes
// escaped as \" \\ and \xHH.
func appendEscaped(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	start := 0 // s[start:i] is still to copy
	for i, c := range s {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		if c == '"' || c == '\\' {
			dst = append(dst, '\\', c)
		} else {
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
		}
		start = i + 1
	}
	return append(dst, s[start:]...)
}

func (l *accessLogger) logStructured(ctx *volt.RequestCtx, start time.Time) {
	log := l.cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := [...]slog.Attr{
		slog.String("method", string(ctx.Method())),
		slog.String("path", string(ctx.Path())),
		slog.Int("status", ctx.Response.StatusCode()),
		slog.Int64("bytes", responseBytes(ctx)),
		slog.Duration("duration", time.Since(start)),
		slog.String("remote_ip", clientIPString(&l.cfg.Proxies, ctx)),
		{},
	}
	n := len(attrs) - 1
	if id := RequestIDOf(ctx); id != nil {
		attrs[n] = slog.String("request_id", string(id))
		n++
	}
	log.LogAttrs(ctx, slog.LevelInfo, "request", attrs[:n]...)
}

// clientIPString returns the client's address for a log, or "-" when it
// is unknown.
func clientIPString(p *Proxies, ctx *volt.RequestCtx) string {
	if ip, err := p.ClientIP(ctx); err == nil {
		return ip.String()
	}
	return "-"
}
