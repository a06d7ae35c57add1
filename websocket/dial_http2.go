package websocket

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/volthttp/volt"
)

// The client side of the opening handshake over HTTP/2: an extended
// CONNECT on a stream of a pooled connection.
//
// See https://www.rfc-editor.org/rfc/rfc8441#section-4

// sharedHTTP is the client of the wss:// Dials that name neither a client
// nor a way of dialing (DialOptions.HTTP, Dial, Proxy and TLSConfig all
// nil): with package volt/http2 linked, their WebSockets to one HTTP/2
// host share its connection.
var sharedHTTP = &volt.Client{}

// maxStreamAttempts is how many times dialStream sends an extended
// CONNECT that the server did not process (volt.ErrRequestUnprocessed).
const maxStreamAttempts = 4

// dialStream opens the WebSocket on a stream of hc's pooled HTTP/2
// connection to u's host: :method CONNECT, :protocol websocket, :scheme
// https for wss (http for ws), :path and :authority from u, then
// sec-websocket-version 13, the subprotocols, the permessage-deflate offer
// and the caller's fields; there is no Sec-WebSocket-Key (RFC 8441
// section 5). The answer must be 2xx. It returns
// volt.ErrExtendedConnectRefused, having sent nothing, when the host is
// reached over HTTP/1.1 or its server did not enable extended CONNECT.
// A request the server did not process is sent again, a few times, after
// a short wait.
func dialStream(ctx context.Context, hc *volt.Client, u *url.URL, useTLS bool, o *DialOptions) (*Conn, error) {
	if err := checkDialFields(o, true); err != nil {
		return nil, err
	}
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	target := u.RequestURI()
	if target == "" || target[0] != '/' {
		target = "/" + target
	}
	req.SetRequestURI(scheme + u.Host + target)
	req.Header.SetMethod("CONNECT")
	req.Header.SetConnectProtocol("websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	if len(o.Subprotocols) > 0 {
		req.Header.Set("Sec-WebSocket-Protocol", strings.Join(o.Subprotocols, ", "))
	}
	if o.Compression.Enabled {
		req.Header.Set("Sec-WebSocket-Extensions", offerDeflate(&o.Compression))
	}
	for k, vs := range o.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}

	nc, err := hc.DialStream(ctx, req, resp)
	for attempt := 1; err != nil && errors.Is(err, volt.ErrRequestUnprocessed) && attempt < maxStreamAttempts; attempt++ {
		// Not processed (REFUSED_STREAM, GOAWAY): the server may be
		// freeing streams, or the pool opens another connection.
		t := time.NewTimer(time.Duration(attempt) * 10 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("websocket: handshake: %w", context.Cause(ctx))
		case <-t.C:
		}
		nc, err = hc.DialStream(ctx, req, resp)
	}
	if err != nil {
		if errors.Is(err, volt.ErrExtendedConnectRefused) {
			return nil, err
		}
		return nil, fmt.Errorf("websocket: dial %s over HTTP/2: %w", u.Redacted(), err)
	}
	status := resp.StatusCode()
	if nc == nil {
		return nil, &HandshakeError{StatusCode: status, Reason: "the server did not accept the extended CONNECT"}
	}
	if status < 200 || status > 299 {
		// A tunnel opens on 2xx only; this is not one.
		_ = nc.Close()
		return nil, &HandshakeError{StatusCode: status, Reason: "the server did not accept the extended CONNECT"}
	}
	subprotocol, pm, err := checkAnswer(&resp.Header, o)
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		_ = nc.Close()
		return nil, fmt.Errorf("websocket: handshake: %w", context.Cause(ctx))
	}
	cfg := o.Config // the caller may reuse its options
	c := newConn(nc, false, &cfg, subprotocol, pm, nil)
	c.overHTTP2 = true
	return c, nil
}
