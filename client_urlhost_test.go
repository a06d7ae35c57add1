package volt

import (
	"errors"
	"net"
	"sync"
	"testing"
)

// TestClientURLHostOneTCPHost: a URL names exactly one TCP host. A list
// ("a,b", which HostClient.Addr would split), a "unix:" address (which the
// Dialer would take as a Unix socket) and other non-host bytes fail with
// ErrInvalidHost, and nothing is dialled.
func TestClientURLHostOneTCPHost(t *testing.T) {
	var mu sync.Mutex
	var dialled []string
	record := func(addr string) (net.Conn, error) {
		mu.Lock()
		dialled = append(dialled, addr)
		mu.Unlock()
		return nil, errors.New("test: no dialling")
	}
	c := &Client{ConnConfig: ConnConfig{Dial: record}}
	for _, url := range []string{
		"http://127.0.0.1,files.example.com:8080/",
		"http://unix:8080/",
		"http://unix:/run/app.sock/",
		"http://a,b/",
		"http://ex$ample.com/",
		"http://:80/",
		"http://[::1/",
		"http://[zz::1]/",
		"http://host:99999/",
	} {
		req, resp := AcquireRequest(), AcquireResponse()
		req.SetRequestURI(url)
		err := c.Do(req, resp)
		if !errors.Is(err, ErrInvalidHost) && !errors.Is(err, ErrInvalidURI) {
			t.Errorf("%s: %v, want ErrInvalidHost", url, err)
		}
		ReleaseRequest(req)
		ReleaseResponse(resp)
	}
	mu.Lock()
	if len(dialled) > 0 {
		t.Fatalf("dialled %q", dialled)
	}
	mu.Unlock()
	// These are hosts: they are dialled as given.
	for _, url := range []string{"http://example.com/", "http://127.0.0.1:8080/", "http://[::1]:8080/", "https://a-b.example_x~y/"} {
		req, resp := AcquireRequest(), AcquireResponse()
		req.SetRequestURI(url)
		if err := c.Do(req, resp); errors.Is(err, ErrInvalidHost) {
			t.Errorf("%s: %v", url, err)
		}
		ReleaseRequest(req)
		ReleaseResponse(resp)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialled) != 4 || dialled[0] != "example.com:80" || dialled[2] != "[::1]:8080" {
		t.Fatalf("dialled %q", dialled)
	}
}

// TestClientURLHostNotAList: a HostClient made by Client takes its Addr as
// one host even if it holds a comma; a HostClient set up by the user keeps
// Addr's list.
func TestClientURLHostNotAList(t *testing.T) {
	hc := &HostClient{Addr: "a:1,b:2", oneHost: true}
	hc.init()
	if len(hc.addrs) != 0 {
		t.Fatalf("oneHost split Addr into %q", hc.addrs)
	}
	hc = &HostClient{Addr: "a:1,b:2"}
	hc.init()
	if len(hc.addrs) != 2 {
		t.Fatalf("Addr list: %q", hc.addrs)
	}
}
