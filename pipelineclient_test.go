package volt

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestPipelineClient(t *testing.T) {
	addr, srv := clientServer(t, func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%s %s", ctx.Method(), ctx.Path())
	})
	pc := &PipelineClient{Addr: addr, MaxConns: 2}
	defer pc.Close()
	var wg sync.WaitGroup
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := AcquireRequest(), AcquireResponse()
			defer ReleaseRequest(req)
			defer ReleaseResponse(resp)
			for i := 0; i < 20; i++ {
				path := fmt.Sprintf("/g%d/%d", g, i)
				req.SetRequestURI("http://" + addr + path)
				if err := pc.DoTimeout(req, resp, 5*time.Second); err != nil {
					t.Error(err)
					return
				}
				if got := string(resp.Body()); got != "GET "+path {
					t.Errorf("got %q for %s: responses out of order", got, path)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := srv.Stats().AcceptedConns; n > 2 {
		t.Fatalf("%d connections for MaxConns 2", n)
	}
}

func TestPipelineClientTimeout(t *testing.T) {
	release := make(chan struct{})
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			<-release
		}
		ctx.Write(ctx.Path())
	})
	pc := &PipelineClient{Addr: addr}
	defer pc.Close()
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/slow")
	if err := pc.DoTimeout(req, resp, 50*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("slow: %v", err)
	}
	close(release)
	// The abandoned response is dropped; the next one is ours.
	req2 := AcquireRequest()
	req2.SetRequestURI("http://" + addr + "/next")
	if err := pc.DoTimeout(req2, resp, 5*time.Second); err != nil || string(resp.Body()) != "/next" {
		t.Fatalf("next: %q %v", resp.Body(), err)
	}
}
