package volttest

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

func TestServerRoundTrips(t *testing.T) {
	srv := NewUnstartedServer(func(ctx *volt.RequestCtx) {
		ctx.Write(ctx.PostBody())
	})
	srv.Config.MaxRequestBodySize = 8
	srv.Start()
	defer srv.Close()
	c := srv.Client()
	args := volt.AcquireArgs()
	args.Add("k", "v")
	status, body, err := c.Post(nil, srv.URL+"/", args)
	if err != nil || status != 200 || string(body) != "k=v" {
		t.Fatalf("%d %q %v", status, body, err)
	}
	args.Add("long", strings.Repeat("x", 20))
	if status, _, _ := c.Post(nil, srv.URL+"/", args); status != 413 {
		t.Fatalf("body over the configured limit: %d", status)
	}
}

func TestListenerDeadlines(t *testing.T) {
	ln := NewListener()
	go func() {
		c, _ := ln.Accept()
		time.Sleep(100 * time.Millisecond)
		c.Close()
	}()
	c, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read deadline not applied")
	}
	c.SetReadDeadline(time.Time{})
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after the server closed: %v", err)
	}
	ln.Close()
	if _, err := ln.Dial(); err == nil {
		t.Fatal("Dial after Close")
	}
}
