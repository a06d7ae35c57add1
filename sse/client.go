package sse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/setting"
)

// Default values of Client fields left at zero.
const (
	DefaultMaxBackoff  = 30 * time.Second
	DefaultMinRetry    = 500 * time.Millisecond
	DefaultIdleTimeout = 60 * time.Second
)

// defaultHTTP is the client of every sse.Client whose HTTP is nil.
var defaultHTTP = &volt.Client{ConnConfig: volt.ConnConfig{StreamResponseBody: true, MaxResponseBodySize: -1}}

// Client reads event streams the way a browser's EventSource does, with
// volt's HTTP client: it connects, hands over the events as they arrive,
// and when the connection fails or the stream ends it waits the retry
// delay and reconnects, sending Last-Event-ID so that the server can
// resume. It stops for good on 204 No Content, on another status than
// 200, and on a response that is not text/event-stream, as EventSource
// does.
//
//	var c sse.Client
//	err := c.Subscribe(ctx, "http://127.0.0.1:8080/events", "", func(ev *sse.Event) error {
//		fmt.Printf("%s %s: %s\n", ev.ID, ev.Type, ev.Data)
//		return nil
//	})
//
// The zero value is ready to use; a Client is safe for concurrent use by
// several Subscribe calls. Set the fields before the first one.
type Client struct {
	// HTTP sends the requests. It must have StreamResponseBody set
	// (Subscribe returns ErrNotStreaming otherwise). Its
	// MaxResponseBodySize and ReadTimeout bound a whole stream, which is
	// then reconnected: set the first negative and leave the second zero
	// (see IdleTimeout). If nil, a client shared by all sse.Clients is
	// used, with StreamResponseBody and no body limit. With package
	// volt/http2 linked in, the subscriptions of one client to an HTTP/2
	// host share its connection (see the package doc).
	HTTP *volt.Client

	// PrepareRequest, if set, is called on each request before it is sent,
	// for example to add an Authorization header.
	PrepareRequest func(req *volt.Request)

	// Retry is the reconnection delay until the server sets one with a
	// retry field. If zero, DefaultRetry (3 s).
	Retry time.Duration

	// MinRetry is the shortest reconnection delay a server's retry field
	// may set: a smaller one (such as "retry: 0") is raised to it, so
	// that a server cannot make the client reconnect in a loop. If zero,
	// DefaultMinRetry (500 ms); if negative, the server's delay is used
	// as it is.
	MinRetry time.Duration

	// MaxBackoff bounds the reconnection delay while attempts fail in a row
	// (no connection, an error before the stream opened, or a stream that
	// ended without dispatching an event): the delay doubles from the
	// retry delay up to MaxBackoff, with up to a quarter more at random so
	// that many clients do not come back at once. A stream that
	// dispatched an event and then ended is reconnected after the retry
	// delay alone. If zero, DefaultMaxBackoff (30 s); a retry delay larger
	// than it is still used as it is.
	MaxBackoff time.Duration

	// IdleTimeout reconnects a stream that received nothing, not even a
	// keep-alive comment, for this long: a dead connection that TCP has
	// not noticed. It also bounds the wait for the response head of each
	// attempt (each redirect included). If zero, DefaultIdleTimeout (60 s,
	// four times the keep-alive interval of a volt Stream); if negative,
	// a stream may stay silent forever.
	IdleTimeout time.Duration

	// MaxEventSize limits a line and an event's data (see
	// Parser.MaxEventSize); a stream that passes it is reconnected. If
	// zero, DefaultMaxEventSize (1 MiB).
	MaxEventSize int

	// OnOpen, if set, is called each time a stream opens (status 200,
	// text/event-stream), with the response, which is only valid until
	// OnOpen returns; its body must not be read.
	OnOpen func(resp *volt.Response)

	// OnError, if set, is called each time a connection attempt fails or a
	// stream ends, with the reason (io.EOF when the server ended it) and
	// the delay before the next attempt.
	OnError func(err error, delay time.Duration)
}

// errIdle is the reason given to OnError for a stream that stayed silent
// past IdleTimeout, or a response head that did not come within it.
var errIdle = errors.New("sse: stream idle past IdleTimeout")

// maxRedirects is how many redirects in a row Subscribe follows.
const maxRedirects = 10

// Subscribe reads the event stream at rawURL and calls fn for each event,
// reconnecting as EventSource does (see Client), until ctx ends (it
// returns ctx.Err()), fn returns an error (it returns that error), or the
// server stops the stream for good (ErrNoContent, a *StatusError,
// ErrNotEventStream, ErrTooManyRedirects). lastEventID, if not empty, is
// sent as Last-Event-ID on the first request, to resume a stream read
// before. The event and its Data are only valid until fn returns; copy
// them to keep them. fn runs on Subscribe's goroutine.
func (c *Client) Subscribe(ctx context.Context, rawURL, lastEventID string, fn func(ev *Event) error) error {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	if !hc.StreamResponseBody {
		return ErrNotStreaming
	}
	sub := subscription{c: c, hc: hc, url: rawURL, fn: fn, lastID: lastEventID}
	sub.p.MaxEventSize = c.MaxEventSize
	sub.buf = make([]byte, 4096)
	retry := c.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	failures := 0
	for {
		sub.events = 0
		err := sub.connect(ctx)
		if sub.fatal {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d, ok := sub.p.Retry(); ok {
			retry = c.serverRetry(d)
		}
		if sub.events > 0 {
			failures = 0
		} else if failures < maxFailures {
			failures++ // no stream, or one that gave nothing
		}
		delay := c.backoff(retry, failures)
		if c.OnError != nil {
			c.OnError(err, delay)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (c *Client) idleTimeout() time.Duration {
	return setting.OrNone(c.IdleTimeout, DefaultIdleTimeout)
}

// maxFailures caps the count of failed attempts in a row: past it the
// delay is MaxBackoff anyway.
const maxFailures = 64

// serverRetry returns the reconnection delay for a retry field of d: at
// least MinRetry.
func (c *Client) serverRetry(d time.Duration) time.Duration {
	floor := c.MinRetry
	if floor == 0 {
		floor = DefaultMinRetry
	}
	return max(d, floor)
}

// backoff returns the delay before the next attempt after failures
// attempts in a row that gave no event.
func (c *Client) backoff(retry time.Duration, failures int) time.Duration {
	if failures == 0 {
		return retry
	}
	limit := c.MaxBackoff
	if limit <= 0 {
		limit = DefaultMaxBackoff
	}
	if retry >= limit {
		return retry
	}
	d := max(retry, time.Millisecond) // a zero delay would not grow
	for i := 1; i < failures && d < limit; i++ {
		if d > limit/2 {
			d = limit
			break
		}
		d *= 2
	}
	d = min(d, limit)
	jitter := time.Duration(rand.Int64N(int64(d)/4 + 1))
	if d > math.MaxInt64-jitter {
		return d
	}
	return d + jitter
}

// subscription is the state of one Subscribe call.
type subscription struct {
	c      *Client
	hc     *volt.Client
	url    string
	fn     func(ev *Event) error
	lastID string
	p      Parser
	buf    []byte
	fatal  bool // the last error ends Subscribe
	events int  // events dispatched on the current connection
}

// connect makes one attempt: it opens the stream and reads it until it
// ends.
func (s *subscription) connect(ctx context.Context) error {
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp) // closes the body stream
	idle := s.c.idleTimeout()
	var headTimer *time.Timer
	var headLate atomic.Bool
	if idle > 0 {
		// The wait for each response head ends after idle: the request's
		// context is cancelled then. The body stream stays under that
		// context, which is cancelled when connect returns.
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		headTimer = time.AfterFunc(idle, func() {
			headLate.Store(true)
			cancel()
		})
		defer headTimer.Stop()
	}
	target := s.url
	for redirects := 0; ; redirects++ {
		req.Reset()
		req.SetRequestURI(target)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Cache-Control", "no-cache")
		if s.lastID != "" {
			req.Header.Set("Last-Event-ID", s.lastID)
		}
		if s.c.PrepareRequest != nil {
			s.c.PrepareRequest(req)
			if redirects > 0 && !sameOrigin(s.url, target) {
				// As net/http does: credentials meant for the origin
				// Subscribe was given do not follow a redirect elsewhere.
				for _, h := range credentialHeaders {
					req.Header.Del(h)
				}
			}
		}
		if headTimer != nil {
			headTimer.Reset(idle)
		}
		err := s.hc.DoCtx(ctx, req, resp)
		if headTimer != nil && !headTimer.Stop() && headLate.Load() {
			return errIdle // the parent context is not done: try again
		}
		if err != nil {
			if errors.Is(err, volt.ErrInvalidURI) || errors.Is(err, volt.ErrUnsupportedScheme) {
				s.fatal = true
			}
			return err
		}
		switch resp.StatusCode() {
		case volt.StatusMovedPermanently, volt.StatusFound, volt.StatusSeeOther, volt.StatusTemporaryRedirect, volt.StatusPermanentRedirect:
			if redirects >= maxRedirects {
				s.fatal = true
				return ErrTooManyRedirects
			}
			next, err := resolve(target, string(resp.Header.Peek("Location")))
			if err != nil {
				s.fatal = true
				return err
			}
			target = next
			continue
		case volt.StatusOK:
		case volt.StatusNoContent:
			s.fatal = true
			return ErrNoContent
		default:
			s.fatal = true
			return &StatusError{Code: resp.StatusCode()}
		}
		break
	}
	if !isEventStream(resp.Header.ContentType()) {
		s.fatal = true
		return ErrNotEventStream
	}
	if s.c.OnOpen != nil {
		s.c.OnOpen(resp)
	}
	return s.read(ctx, resp)
}

// read feeds the body to the parser until the stream ends, and keeps the
// last event ID for the next connection.
func (s *subscription) read(ctx context.Context, resp *volt.Response) (err error) {
	s.p.Reset(s.lastID)
	defer func() { s.lastID = s.p.LastEventID() }()
	body := resp.BodyStream()
	closer, _ := body.(io.Closer)
	var idle atomic.Bool
	if closer != nil {
		stop := context.AfterFunc(ctx, func() { closer.Close() })
		defer stop()
	}
	var timer *time.Timer
	idleTimeout := s.c.idleTimeout()
	if d := idleTimeout; d > 0 && closer != nil {
		timer = time.AfterFunc(d, func() {
			idle.Store(true)
			closer.Close()
		})
		defer timer.Stop()
	}
	var fnErr error
	fn := func(ev *Event) error {
		s.events++
		if err := s.fn(ev); err != nil {
			fnErr = err
			return err
		}
		return nil
	}
	for {
		n, rerr := body.Read(s.buf)
		if n > 0 {
			if timer != nil {
				timer.Reset(idleTimeout)
			}
			if perr := s.p.Feed(s.buf[:n], fn); perr != nil {
				if fnErr != nil {
					s.fatal = true
					return fnErr
				}
				return perr // ErrEventTooLarge: reconnect
			}
		}
		if rerr != nil {
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case idle.Load():
				return errIdle
			}
			return rerr // io.EOF when the server ended the stream
		}
	}
}

// isEventStream reports whether a Content-Type's essence is
// text/event-stream.
func isEventStream(ct []byte) bool {
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return bytes.EqualFold(bytes.TrimSpace(ct), []byte("text/event-stream"))
}

// credentialHeaders are the request headers that carry credentials,
// which go to the origin of the URL given to Subscribe only.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2"}

// sameOrigin reports whether URLs a and b have the same origin: scheme,
// host and port, the default port of the scheme counting as given. A URL
// that does not parse has no origin in common with any.
func sameOrigin(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(ua.Scheme)
	return scheme == strings.ToLower(ub.Scheme) &&
		strings.EqualFold(ua.Hostname(), ub.Hostname()) &&
		originPort(scheme, ua.Port()) == originPort(scheme, ub.Port())
}

func originPort(scheme, port string) string {
	if port != "" {
		return port
	}
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// resolve resolves a Location against the URL it answered.
func resolve(base, loc string) (string, error) {
	if loc == "" {
		return "", volt.ErrMissingLocation
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	l, err := url.Parse(loc)
	if err != nil {
		return "", err
	}
	return b.ResolveReference(l).String(), nil
}
