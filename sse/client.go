package sse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
)

// DefaultMaxBackoff is Client.MaxBackoff when left at zero.
const DefaultMaxBackoff = 30 * time.Second

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
	// used, with StreamResponseBody and no body limit.
	HTTP *volt.Client

	// PrepareRequest, if set, is called on each request before it is sent,
	// for example to add an Authorization header.
	PrepareRequest func(req *volt.Request)

	// Retry is the reconnection delay until the server sets one with a
	// retry field. If zero, DefaultRetry (3 s).
	Retry time.Duration

	// MaxBackoff bounds the reconnection delay while attempts fail in a row
	// (no connection, or an error before the stream opened): the delay
	// doubles from the retry delay up to MaxBackoff, with up to a quarter
	// more at random so that many clients do not come back at once. A
	// stream that opened and then ended is reconnected after the retry
	// delay alone. If zero, DefaultMaxBackoff (30 s); a retry delay larger
	// than it is still used as it is.
	MaxBackoff time.Duration

	// IdleTimeout reconnects a stream that received nothing, not even a
	// keep-alive comment, for this long: a dead connection that TCP has
	// not noticed. If zero, a stream may stay silent forever.
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
// past IdleTimeout.
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
		opened, err := sub.connect(ctx)
		if sub.fatal {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d, ok := sub.p.Retry(); ok {
			retry = d
		}
		if opened {
			failures = 0
		} else {
			failures++
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

// backoff returns the delay before the next attempt after failures
// attempts in a row that did not open a stream.
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
	d := retry
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
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
}

// connect makes one attempt: it opens the stream and reads it until it
// ends. opened reports whether the stream opened.
func (s *subscription) connect(ctx context.Context) (opened bool, err error) {
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp) // closes the body stream
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
		}
		if err := s.hc.DoCtx(ctx, req, resp); err != nil {
			if errors.Is(err, volt.ErrInvalidURI) || errors.Is(err, volt.ErrUnsupportedScheme) {
				s.fatal = true
			}
			return false, err
		}
		switch resp.StatusCode() {
		case volt.StatusMovedPermanently, volt.StatusFound, volt.StatusSeeOther, volt.StatusTemporaryRedirect, volt.StatusPermanentRedirect:
			if redirects >= maxRedirects {
				s.fatal = true
				return false, ErrTooManyRedirects
			}
			next, err := resolve(target, string(resp.Header.Peek("Location")))
			if err != nil {
				s.fatal = true
				return false, err
			}
			target = next
			continue
		case volt.StatusOK:
		case volt.StatusNoContent:
			s.fatal = true
			return false, ErrNoContent
		default:
			s.fatal = true
			return false, &StatusError{Code: resp.StatusCode()}
		}
		break
	}
	if !isEventStream(resp.Header.ContentType()) {
		s.fatal = true
		return false, ErrNotEventStream
	}
	if s.c.OnOpen != nil {
		s.c.OnOpen(resp)
	}
	return true, s.read(ctx, resp)
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
	if d := s.c.IdleTimeout; d > 0 && closer != nil {
		timer = time.AfterFunc(d, func() {
			idle.Store(true)
			closer.Close()
		})
		defer timer.Stop()
	}
	var fnErr error
	fn := func(ev *Event) error {
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
				timer.Reset(s.c.IdleTimeout)
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
