package volt

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHostClientEmptyAddr: a client without an address fails each call
// with a DialError instead of panicking.
func TestHostClientEmptyAddr(t *testing.T) {
	req, resp := AcquireRequest(), AcquireResponse()
	defer ReleaseRequest(req)
	defer ReleaseResponse(resp)
	req.SetRequestURI("/")
	var de *DialError
	hc := &HostClient{}
	if err := hc.Do(req, resp); !errors.As(err, &de) || !errors.Is(err, errNoAddr) {
		t.Fatalf("HostClient.Do: %v", err)
	}
	if _, err := hc.DialTunnel(context.Background()); !errors.As(err, &de) {
		t.Fatalf("DialTunnel: %v", err)
	}
	pc := &PipelineClient{}
	defer pc.Close()
	if err := pc.DoTimeout(req, resp, 5*time.Second); !errors.As(err, &de) {
		t.Fatalf("PipelineClient.Do: %v", err)
	}
}
