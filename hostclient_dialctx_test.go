package volt

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestHostClientDialContext: DialContext dials; a dialer that hangs until
// its context ends cannot outlast DoTimeout, DialTimeout or a cancelled
// DoCtx.
func TestHostClientDialContext(t *testing.T) {
	origin, _ := clientServer(t, func(ctx *RequestCtx) { ctx.SetBodyString("ok") })
	req, resp := AcquireRequest(), AcquireResponse()
	defer ReleaseRequest(req)
	defer ReleaseResponse(resp)
	req.SetRequestURI("http://" + origin + "/")

	var dialed []string
	hc := &HostClient{Addr: origin, ConnConfig: ConnConfig{DialContext: func(ctx context.Context, addr string) (net.Conn, error) {
		dialed = append(dialed, addr)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}}
	if err := hc.Do(req, resp); err != nil || string(resp.Body()) != "ok" {
		t.Fatalf("Do: %q %v", resp.Body(), err)
	}
	if len(dialed) != 1 || dialed[0] != origin {
		t.Fatalf("DialContext called with %q", dialed)
	}

	hang := func(ctx context.Context, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	cases := []struct {
		name string
		hc   *HostClient
		call func(hc *HostClient) error
		want error
	}{
		{"DoTimeout", &HostClient{Addr: origin, ConnConfig: ConnConfig{DialContext: hang}},
			func(hc *HostClient) error { return hc.DoTimeout(req, resp, 100*time.Millisecond) }, ErrTimeout},
		{"DialTimeout", &HostClient{Addr: origin, ConnConfig: ConnConfig{DialContext: hang, DialTimeout: 100 * time.Millisecond}},
			func(hc *HostClient) error { return hc.Do(req, resp) }, ErrTimeout},
		{"DoCtx", &HostClient{Addr: origin, ConnConfig: ConnConfig{DialContext: hang}},
			func(hc *HostClient) error {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
				return hc.DoCtx(ctx, req, resp)
			}, context.Canceled},
	}
	for _, tc := range cases {
		start := time.Now()
		err := tc.call(tc.hc)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: returned after %v", tc.name, took)
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
